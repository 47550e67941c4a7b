"""ECHONET Lite: frame codec, property maps, class specifications, UDP client and discovery."""
