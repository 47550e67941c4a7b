// The solar-charge plan card of the ECHONET Lite HEMS integration (custom:echonet-hems-plan-card).
//
// Draws the plan that the status sensor carries as its `plan` attribute (48 h of 30-minute slots): the PV and load
// forecast, the buy price as background bands, each device's planned power as bars, the battery's and the tank's
// energy on a second axis, and, left of "now", the past day's actual values read from the recorder's history.
// Plain JavaScript and inline SVG, no build step and no dependency: the integration serves this file itself.

const CARD_TYPE = "echonet-hems-plan-card";
const SLOT_MS = 30 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
const HISTORY_REFRESH_MS = 5 * 60 * 1000;
const HEIGHT = 260;
const PAD = { left: 40, right: 44, top: 12, bottom: 26 };
const TIME_STEPS_H = [3, 6, 12, 24];
const TIME_LABEL_PX = 32; // "00:00" at 10 px is about 28 px wide: at least 4 px between labels

const LABELS = {
  en: {
    title: "Solar charge plan",
    pv: "PV forecast",
    load: "Load forecast",
    heat: "Water heater",
    battery: "Battery",
    ev: "EV",
    batteryKwh: "Battery energy",
    tankKwh: "Tank energy",
    pvActual: "PV (actual)",
    loadActual: "Load (actual)",
    batteryActual: "Battery (actual)",
    batteryKwhActual: "Battery energy (actual)",
    price: "Buy price",
    now: "now",
    cost: "Expected cost",
    planned: "Planned",
    noPlan: "No plan yet",
    missing: "Entity not found",
    noHistory: "Past values unavailable",
    yen: "¥",
  },
  ja: {
    title: "ソーラーチャージ計画",
    pv: "太陽光（予測）",
    load: "消費（予測）",
    heat: "給湯機",
    battery: "蓄電池",
    ev: "EV",
    batteryKwh: "蓄電残量",
    tankKwh: "貯湯熱量",
    pvActual: "太陽光（実績）",
    loadActual: "消費（実績）",
    batteryActual: "蓄電池（実績）",
    batteryKwhActual: "蓄電残量（実績）",
    price: "買電単価",
    now: "現在",
    cost: "想定電気代",
    planned: "計画作成",
    noPlan: "計画はまだありません",
    missing: "エンティティが見つかりません",
    noHistory: "過去の実績を取得できません",
    yen: "¥",
  },
};

// Each series: its colour (a theme variable with a fallback) and how it is drawn.
const SERIES = {
  pv: { color: "var(--energy-solar-color, #ff9800)", kind: "area" },
  load: { color: "var(--energy-grid-consumption-color, #488fc2)", kind: "line" },
  heat: { color: "var(--energy-gas-color, #d81b60)", kind: "bar" },
  battery: { color: "var(--energy-battery-in-color, #f06292)", kind: "bar" },
  ev: { color: "var(--energy-non-fossil-color, #8353d1)", kind: "bar" },
  batteryKwh: { color: "var(--energy-battery-out-color, #4db6ac)", kind: "line2" },
  tankKwh: { color: "var(--error-color, #db4437)", kind: "line2", dash: "5 3" },
  pvActual: { color: "var(--energy-solar-color, #ff9800)", kind: "line", dash: "2 2" },
  loadActual: { color: "var(--energy-grid-consumption-color, #488fc2)", kind: "line", dash: "2 2" },
  batteryActual: { color: "var(--energy-battery-in-color, #f06292)", kind: "line", dash: "2 2" },
  batteryKwhActual: { color: "var(--energy-battery-out-color, #4db6ac)", kind: "line2", dash: "2 2" },
};
const DEVICE_KEYS = [
  ["heat", "heat_kw"],
  ["battery", "battery_kw"],
  ["ev", "ev_kw"],
];

const POWER_UNITS = { W: 0.001, kW: 1, MW: 1000 };
const ENERGY_UNITS = { Wh: 0.001, kWh: 1, MWh: 1000 };

function labelsFor(language) {
  return String(language || "en").toLowerCase().startsWith("ja") ? LABELS.ja : LABELS.en;
}

function escapeXml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// A tick step of 1, 2 or 5 × 10^n that gives about `count` ticks over `span`.
function niceStep(span, count) {
  const raw = span / Math.max(count, 1);
  const power = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 5, 10].find((m) => m * power >= raw) || 10;
  return step * power;
}

function axis(min, max, count) {
  const step = niceStep(max - min || 1, count);
  const low = Math.floor(min / step) * step;
  const high = Math.max(Math.ceil(max / step) * step, low + step);
  return { low, high, step };
}

// The time-weighted mean of a step series (points sorted by time) in each slot [t, t + SLOT_MS) from `start` to `end`.
export function slotMeans(points, start, end, until) {
  const count = Math.max(0, Math.round((end - start) / SLOT_MS));
  const sums = new Array(count).fill(0);
  const spans = new Array(count).fill(0);
  for (let i = 0; i < points.length; i += 1) {
    const from = Math.max(points[i].t, start);
    const to = Math.min(i + 1 < points.length ? points[i + 1].t : until, end);
    if (to <= from || points[i].v === null) continue;
    for (let slot = Math.floor((from - start) / SLOT_MS); slot < count; slot += 1) {
      const slotStart = start + slot * SLOT_MS;
      const overlap = Math.min(to, slotStart + SLOT_MS) - Math.max(from, slotStart);
      if (overlap <= 0) break;
      sums[slot] += points[i].v * overlap;
      spans[slot] += overlap;
    }
  }
  return sums.map((sum, slot) => (spans[slot] > 0 ? sum / spans[slot] : null));
}

// Recorder history (minimal response, no attributes) → [{t: ms, v: number in the card's unit | null}].
export function historyPoints(states, factor) {
  return (states || []).map((item) => {
    const value = Number.parseFloat(item.s);
    return { t: (item.lu ?? item.lc) * 1000, v: Number.isFinite(value) ? value * factor : null };
  });
}

// The sum of several series slot by slot (a slot is unknown when any of them is).
function sumSeries(series) {
  if (!series.length) return null;
  return series[0].map((_, i) =>
    series.some((values) => values[i] === null) ? null : series.reduce((sum, values) => sum + values[i], 0),
  );
}

// The time zone the user chose in their profile: the server's, or the browser's (undefined).
function timeZoneOf(hass) {
  return hass?.locale?.time_zone === "server" && hass.config?.time_zone ? hass.config.time_zone : undefined;
}

const clockFormats = new Map();

// Month, day, hour and minute of a time in a time zone (axis ticks fall on the user's whole hours and midnights).
export function clockParts(t, timeZone) {
  const key = timeZone || "";
  if (!clockFormats.has(key)) {
    const options = { month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", hourCycle: "h23" };
    clockFormats.set(key, new Intl.DateTimeFormat("en-US", { ...options, timeZone }));
  }
  const parts = clockFormats.get(key).formatToParts(new Date(t));
  const get = (type) => Number(parts.find((part) => part.type === type)?.value);
  return { month: get("month"), day: get("day"), hour: get("hour") % 24, minute: get("minute") };
}

function unitFactor(hass, entityId, units) {
  const unit = hass.states[entityId]?.attributes?.unit_of_measurement;
  return units[unit] ?? null;
}

class EchonetHemsPlanCard extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this._width = 480;
    this._history = null;
    this._historyKey = "";
    this._historyAt = 0;
    this._historyError = false;
    this._sources = null;
    this._hidden = new Set();
  }

  static getStubConfig(hass) {
    const states = hass?.states || {};
    const entity =
      Object.keys(states).find((id) => id.startsWith("sensor.") && id.endsWith("solar_charge_status")) ||
      Object.keys(states).find((id) => id.startsWith("sensor.") && states[id]?.attributes?.plan?.slots) ||
      "sensor.solar_charge_status";
    return { entity };
  }

  setConfig(config) {
    if (!config || typeof config.entity !== "string" || !config.entity) {
      throw new Error("entity: the solar charge status sensor is required");
    }
    this._config = { past_hours: 24, ...config };
    this._stateObj = undefined;
    this._render();
  }

  set hass(hass) {
    const previous = this._hass;
    this._hass = hass;
    const stateObj = hass.states[this._config.entity];
    const themeChanged = previous && previous.themes?.darkMode !== hass.themes?.darkMode;
    if (stateObj !== this._stateObj || !previous || previous.language !== hass.language || themeChanged) {
      this._stateObj = stateObj;
      this._render();
    }
    this._historyLoad = this._maybeLoadHistory();
  }

  getCardSize() {
    return 6;
  }

  getGridOptions() {
    return { columns: 12, min_columns: 6, rows: 6, min_rows: 4 };
  }

  connectedCallback() {
    if (!this._resizeObserver && typeof ResizeObserver !== "undefined") {
      this._resizeObserver = new ResizeObserver((entries) => {
        const width = Math.round(entries[0].contentRect.width);
        if (width > 0 && Math.abs(width - this._width) > 4) {
          this._width = width;
          this._render();
        }
      });
    }
    this._resizeObserver?.observe(this);
  }

  disconnectedCallback() {
    this._resizeObserver?.disconnect();
  }

  get _labels() {
    return labelsFor(this._hass?.language);
  }

  _plan() {
    const plan = this._stateObj?.attributes?.plan;
    return plan && Array.isArray(plan.slots) && plan.slots.length ? plan : null;
  }

  // The past day's actual values, fetched at most every few minutes (the recorder's history of the source sensors).
  async _maybeLoadHistory() {
    const hass = this._hass;
    const plan = this._plan();
    const pastHours = Number(this._config.past_hours) || 0;
    if (!hass || !plan || pastHours <= 0 || this._loadingHistory || typeof hass.callWS !== "function") return;
    const now = Date.now();
    const key = `${plan.created}|${pastHours}`;
    if (key === this._historyKey && now - this._historyAt < HISTORY_REFRESH_MS) return;
    this._loadingHistory = true;
    try {
      const sources = await this._loadSources();
      const ids = [...new Set(Object.values(sources).flat())];
      const start = Date.parse(plan.slots[0].start) - pastHours * HOUR_MS;
      const end = Date.parse(plan.slots[0].start);
      let states = {};
      if (ids.length) {
        states = await hass.callWS({
          type: "history/history_during_period",
          start_time: new Date(start).toISOString(),
          end_time: new Date(end).toISOString(),
          entity_ids: ids,
          minimal_response: true,
          no_attributes: true,
          significant_changes_only: false,
        });
      }
      this._history = this._actuals(sources, states, start, end);
      this._historyError = false;
    } catch (err) {
      this._history = null;
      this._historyError = true;
    } finally {
      this._historyKey = key;
      this._historyAt = now;
      this._loadingHistory = false;
      this._render();
    }
  }

  // Which sensors hold the actual values: the card's config, else the integration's own answer.
  async _loadSources() {
    const config = this._config;
    const list = (value) => (value === undefined ? undefined : [].concat(value).filter(Boolean));
    if (!this._sources) {
      try {
        this._sources = await this._hass.callWS({ type: "echonet_hems/plan_card_sources" });
      } catch (err) {
        this._sources = {};
      }
    }
    return {
      pv_power: list(config.pv_entity) ?? this._sources.pv_power ?? [],
      house_power: list(config.load_entity) ?? this._sources.house_power ?? [],
      battery_power: list(config.battery_entity) ?? this._sources.battery_power ?? [],
      battery_energy: list(config.battery_energy_entity) ?? this._sources.battery_energy ?? [],
    };
  }

  _actuals(sources, states, start, end) {
    const until = Math.min(Date.now(), end);
    const series = (ids, units) =>
      sumSeries(
        ids
          .map((id) => ({ id, factor: unitFactor(this._hass, id, units) }))
          .filter(({ factor }) => factor !== null)
          .map(({ id, factor }) => slotMeans(historyPoints(states[id], factor), start, end, until)),
      );
    return {
      start,
      pvActual: series(sources.pv_power, POWER_UNITS),
      loadActual: series(sources.house_power, POWER_UNITS),
      batteryActual: series(sources.battery_power, POWER_UNITS),
      batteryKwhActual: series(sources.battery_energy, ENERGY_UNITS),
    };
  }

  _render() {
    if (!this._config) return;
    const labels = this._labels;
    const title = escapeXml(this._config.title ?? labels.title);
    let body;
    if (!this._hass) {
      body = "";
    } else if (!this._stateObj) {
      body = `<div class="message">${escapeXml(labels.missing)}: ${escapeXml(this._config.entity)}</div>`;
    } else if (!this._plan()) {
      body = `<div class="status">${escapeXml(this._statusText())}</div><div class="message">${escapeXml(labels.noPlan)}</div>`;
    } else {
      body = this._planBody(this._plan(), labels);
    }
    this.shadowRoot.innerHTML = `<style>${STYLE}</style><ha-card header="${title}"><div class="content">${body}</div></ha-card>`;
    this.shadowRoot.querySelectorAll(".legend [data-series]").forEach((item) => {
      item.addEventListener("click", () => {
        const name = item.dataset.series;
        if (this._hidden.has(name)) this._hidden.delete(name);
        else this._hidden.add(name);
        this._render();
      });
    });
  }

  _statusText() {
    const hass = this._hass;
    const stateObj = this._stateObj;
    if (typeof hass.formatEntityState === "function") return hass.formatEntityState(stateObj);
    return stateObj.state;
  }

  _planBody(plan, labels) {
    const created = new Date(plan.created);
    const time = created.toLocaleString(this._hass.language || "en", {
      timeZone: timeZoneOf(this._hass),
      month: "numeric",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
    });
    const cost = Number(plan.expected_cost_yen);
    const summary = [
      `<span class="status">${escapeXml(this._statusText())}</span>`,
      Number.isFinite(cost) ? `<span>${escapeXml(labels.cost)} ${labels.yen}${Math.round(cost).toLocaleString()}</span>` : "",
      `<span>${escapeXml(labels.planned)} ${escapeXml(time)}</span>`,
    ].join("");
    const history = this._history;
    const present = new Set(Object.keys(SERIES).filter((name) => this._hasSeries(name, plan, history)));
    const legend = [...present]
      .map((name) => {
        const style = SERIES[name];
        const off = this._hidden.has(name) ? " off" : "";
        const swatch = style.kind === "bar" || style.kind === "area" ? "box" : style.dash ? "dash" : "line";
        return `<span class="item${off}" data-series="${name}"><i class="${swatch}" style="--c:${style.color}"></i>${escapeXml(labels[name])}</span>`;
      })
      .join("");
    const priceLegend = `<span class="item"><i class="box price"></i>${escapeXml(labels.price)}</span>`;
    const note =
      this._historyError && Number(this._config.past_hours) > 0
        ? `<div class="note">${escapeXml(labels.noHistory)}</div>`
        : "";
    const visible = new Set([...present].filter((name) => !this._hidden.has(name)));
    return `<div class="summary">${summary}</div>${this._svg(plan, history, visible, labels)}<div class="legend">${legend}${priceLegend}</div>${note}`;
  }

  _hasSeries(name, plan, history) {
    const slots = plan.slots;
    const any = (key) => slots.some((slot) => Math.abs(Number(slot[key]) || 0) > 1e-6);
    switch (name) {
      case "pv":
        return any("pv_kw");
      case "load":
        return any("load_kw");
      case "heat":
        return any("heat_kw") || any("tank_kwh_th");
      case "battery":
        return any("battery_kw") || any("battery_kwh");
      case "ev":
        return any("ev_kw");
      case "batteryKwh":
        return any("battery_kwh");
      case "tankKwh":
        return any("tank_kwh_th");
      default:
        return Boolean(history && history[name] && history[name].some((v) => v !== null));
    }
  }

  _svg(plan, history, visible, labels) {
    const width = Math.max(this._width, 280);
    const slots = plan.slots.map((slot) => ({ ...slot, t: Date.parse(slot.start) }));
    const planStart = slots[0].t;
    const planEnd = slots[slots.length - 1].t + SLOT_MS;
    const pastStart = history ? history.start : planStart;
    const x0 = PAD.left;
    const x1 = width - PAD.right;
    const y0 = HEIGHT - PAD.bottom;
    const y1 = PAD.top;
    const tx = (t) => x0 + ((t - pastStart) / (planEnd - pastStart)) * (x1 - x0);
    const slotWidth = Math.max(1, tx(planStart + SLOT_MS) - tx(planStart));

    // Left axis (kW): forecasts, stacked device bars (battery discharge below zero), actual powers.
    let kwMin = 0;
    let kwMax = 0.5;
    for (const slot of slots) {
      const up = ["heat_kw", "battery_kw", "ev_kw"].reduce((sum, key) => sum + Math.max(0, Number(slot[key]) || 0), 0);
      kwMax = Math.max(kwMax, up, Number(slot.pv_kw) || 0, Number(slot.load_kw) || 0);
      kwMin = Math.min(kwMin, Number(slot.battery_kw) || 0);
    }
    for (const name of ["pvActual", "loadActual", "batteryActual"]) {
      for (const v of history?.[name] || []) {
        if (v === null) continue;
        kwMax = Math.max(kwMax, v);
        kwMin = Math.min(kwMin, v);
      }
    }
    const left = axis(kwMin, kwMax, 4);
    const ty = (kw) => y0 - ((kw - left.low) / (left.high - left.low)) * (y0 - y1);

    // Right axis (kWh): stored energies.
    let kwhMax = 1;
    for (const slot of slots) {
      kwhMax = Math.max(kwhMax, Number(slot.battery_kwh) || 0, Number(slot.tank_kwh_th) || 0);
    }
    for (const v of history?.batteryKwhActual || []) if (v !== null) kwhMax = Math.max(kwhMax, v);
    const right = axis(0, kwhMax, 4);
    const ty2 = (kwh) => y0 - ((kwh - right.low) / (right.high - right.low)) * (y0 - y1);

    const parts = [];
    parts.push(this._priceBands(slots, tx, slotWidth, y0, y1));
    parts.push(this._grid(left, ty, right, ty2, x0, x1, labels));
    parts.push(this._timeAxis(pastStart, planEnd, tx, y0, y1));
    if (visible.has("pv")) parts.push(this._area(slots, "pv_kw", tx, ty, SERIES.pv.color));
    parts.push(this._bars(slots, visible, tx, ty, slotWidth));
    if (visible.has("load")) parts.push(this._line(slots.map((s) => [s.t + SLOT_MS / 2, s.load_kw]), tx, ty, SERIES.load));
    if (visible.has("batteryKwh")) {
      parts.push(this._line(slots.map((s) => [s.t + SLOT_MS, s.battery_kwh]), tx, ty2, SERIES.batteryKwh));
    }
    if (visible.has("tankKwh")) {
      parts.push(this._line(slots.map((s) => [s.t + SLOT_MS, s.tank_kwh_th]), tx, ty2, SERIES.tankKwh));
    }
    if (history) {
      const at = (i) => history.start + i * SLOT_MS + SLOT_MS / 2;
      for (const [name, scale] of [
        ["pvActual", ty],
        ["loadActual", ty],
        ["batteryActual", ty],
        ["batteryKwhActual", ty2],
      ]) {
        if (!visible.has(name)) continue;
        parts.push(this._line(history[name].map((v, i) => [at(i), v]), tx, scale, SERIES[name]));
      }
    }
    parts.push(this._nowLine(tx, planStart, planEnd, pastStart, y0, y1, labels));
    parts.push(this._hits(slots, tx, slotWidth, y0, y1, labels));
    return `<svg class="chart" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" role="img" aria-label="${escapeXml(labels.title)}">${parts.join("")}</svg>`;
  }

  // Background shading by buy price: the dearer the slot, the stronger the band.
  _priceBands(slots, tx, slotWidth, y0, y1) {
    const prices = slots.map((s) => Number(s.buy_price)).filter(Number.isFinite);
    const low = Math.min(...prices);
    const high = Math.max(...prices);
    return slots
      .map((s) => {
        const share = high > low ? (Number(s.buy_price) - low) / (high - low) : 0;
        const opacity = (0.04 + 0.2 * share).toFixed(3);
        return `<rect class="price" x="${tx(s.t).toFixed(1)}" y="${y1}" width="${(slotWidth + 0.3).toFixed(1)}" height="${y0 - y1}" fill-opacity="${opacity}"/>`;
      })
      .join("");
  }

  _grid(left, ty, right, ty2, x0, x1, labels) {
    const out = [];
    for (let v = left.low; v <= left.high + left.step / 2; v += left.step) {
      const y = ty(v).toFixed(1);
      out.push(`<line class="${Math.abs(v) < 1e-9 ? "zero" : "grid"}" x1="${x0}" x2="${x1}" y1="${y}" y2="${y}"/>`);
      out.push(`<text class="tick" x="${x0 - 4}" y="${y}" text-anchor="end" dominant-baseline="middle">${+v.toFixed(2)}</text>`);
    }
    for (let v = right.low; v <= right.high + right.step / 2; v += right.step) {
      const y = ty2(v).toFixed(1);
      out.push(`<text class="tick" x="${x1 + 4}" y="${y}" dominant-baseline="middle">${+v.toFixed(1)}</text>`);
    }
    out.push(`<text class="unit" x="${x0 - 4}" y="${PAD.top - 3}" text-anchor="end">kW</text>`);
    out.push(`<text class="unit" x="${x1 + 4}" y="${PAD.top - 3}">kWh</text>`);
    return out.join("");
  }

  // A tick every 3, 6, 12 or 24 h, the densest whose labels stay TIME_LABEL_PX apart on this card's width (a phone's
  // 330-px card over 72 h would otherwise print a label every 20 px, overlapping), labelled with the hour; midnights
  // with the date (in the user's zone).
  _timeAxis(start, end, tx, y0, y1) {
    const out = [];
    const pxPerHour = (tx(end) - tx(start)) / ((end - start) / HOUR_MS);
    const step = TIME_STEPS_H.find((hours) => hours * pxPerHour >= TIME_LABEL_PX) ?? 24;
    const timeZone = timeZoneOf(this._hass);
    for (let t = Math.ceil(start / SLOT_MS) * SLOT_MS; t <= end; t += SLOT_MS) {
      const { month, day, hour, minute } = clockParts(t, timeZone);
      if (minute !== 0 || hour % step !== 0) continue;
      const x = tx(t).toFixed(1);
      const label = hour === 0 ? `${month}/${day}` : `${String(hour).padStart(2, "0")}:00`;
      out.push(`<line class="${hour === 0 ? "midnight" : "grid"}" x1="${x}" x2="${x}" y1="${y1}" y2="${y0}"/>`);
      out.push(`<text class="tick" x="${x}" y="${y0 + 14}" text-anchor="middle">${label}</text>`);
    }
    return out.join("");
  }

  _area(slots, key, tx, ty, color) {
    const points = slots.map((s) => `${tx(s.t + SLOT_MS / 2).toFixed(1)},${ty(Number(s[key]) || 0).toFixed(1)}`);
    const base = ty(0).toFixed(1);
    const first = tx(slots[0].t + SLOT_MS / 2).toFixed(1);
    const last = tx(slots[slots.length - 1].t + SLOT_MS / 2).toFixed(1);
    return `<polygon class="area" style="fill:${color};stroke:${color}" points="${first},${base} ${points.join(" ")} ${last},${base}"/>`;
  }

  // Stacked bars per slot: water heater, battery charge and EV up; battery discharge down from zero.
  _bars(slots, visible, tx, ty, slotWidth) {
    const out = [];
    const width = Math.max(1, slotWidth * 0.7);
    for (const s of slots) {
      const x = (tx(s.t) + (slotWidth - width) / 2).toFixed(1);
      let top = 0;
      for (const [name, key] of DEVICE_KEYS) {
        if (!visible.has(name)) continue;
        const kw = Number(s[key]) || 0;
        if (kw > 0) {
          out.push(this._bar(x, width, ty(top + kw), ty(top), SERIES[name].color));
          top += kw;
        } else if (kw < 0) {
          out.push(this._bar(x, width, ty(0), ty(kw), SERIES[name].color, "discharge"));
        }
      }
    }
    return out.join("");
  }

  _bar(x, width, yTop, yBottom, color, extra = "") {
    const height = Math.max(0, yBottom - yTop);
    if (height < 0.2) return "";
    return `<rect class="bar ${extra}" x="${x}" y="${yTop.toFixed(1)}" width="${width.toFixed(1)}" height="${height.toFixed(1)}" style="fill:${color}"/>`;
  }

  // A polyline broken where a value is unknown.
  _line(points, tx, ty, style) {
    const runs = [];
    let run = [];
    for (const [t, v] of points) {
      if (v === null || v === undefined || !Number.isFinite(Number(v))) {
        if (run.length) runs.push(run);
        run = [];
        continue;
      }
      run.push(`${tx(t).toFixed(1)},${ty(Number(v)).toFixed(1)}`);
    }
    if (run.length) runs.push(run);
    const dash = style.dash ? `stroke-dasharray:${style.dash};` : "";
    return runs
      .map((r) => `<polyline class="line" style="stroke:${style.color};${dash}" points="${r.join(" ")}"/>`)
      .join("");
  }

  _nowLine(tx, planStart, planEnd, pastStart, y0, y1, labels) {
    const now = Math.min(Math.max(Date.now(), pastStart), planEnd);
    const x = tx(now < planStart ? planStart : now).toFixed(1);
    return `<line class="now" x1="${x}" x2="${x}" y1="${y1}" y2="${y0}"/><text class="now-label" x="${x}" y="${y1 + 9}" text-anchor="middle">${escapeXml(labels.now)}</text>`;
  }

  // Invisible slot-wide rectangles with a native tooltip of the slot's numbers.
  _hits(slots, tx, slotWidth, y0, y1, labels) {
    const locale = this._hass.language || "en";
    const timeZone = timeZoneOf(this._hass);
    return slots
      .map((s) => {
        const when = new Date(s.t).toLocaleString(locale, {
          timeZone,
          weekday: "short",
          hour: "2-digit",
          minute: "2-digit",
        });
        const lines = [
          when,
          `${labels.pv} ${(+s.pv_kw).toFixed(2)} kW`,
          `${labels.load} ${(+s.load_kw).toFixed(2)} kW`,
          `${labels.price} ${labels.yen}${(+s.buy_price).toFixed(1)}/kWh`,
          `${labels.heat} ${(+s.heat_kw).toFixed(2)} kW`,
          `${labels.battery} ${(+s.battery_kw).toFixed(2)} kW`,
          `${labels.ev} ${(+s.ev_kw).toFixed(2)} kW`,
          `${labels.batteryKwh} ${(+s.battery_kwh).toFixed(1)} kWh`,
          `${labels.tankKwh} ${(+s.tank_kwh_th).toFixed(1)} kWh`,
        ];
        return `<rect class="hit" x="${tx(s.t).toFixed(1)}" y="${y1}" width="${slotWidth.toFixed(1)}" height="${y0 - y1}"><title>${escapeXml(lines.join("\n"))}</title></rect>`;
      })
      .join("");
  }
}

const STYLE = `
  :host { display: block; }
  .content { padding: 0 12px 12px; }
  .summary { display: flex; flex-wrap: wrap; gap: 4px 16px; color: var(--secondary-text-color); font-size: 0.9em; margin-bottom: 4px; }
  .status { color: var(--primary-text-color); font-weight: 500; }
  .message, .note { color: var(--secondary-text-color); padding: 8px 0; }
  .note { font-size: 0.8em; padding: 2px 0 0; }
  svg.chart { display: block; width: 100%; height: auto; overflow: visible; }
  .tick, .unit, .now-label { fill: var(--secondary-text-color); font-size: 10px; font-family: inherit; }
  .grid { stroke: var(--divider-color, rgba(127, 127, 127, 0.3)); stroke-width: 0.5; }
  .midnight { stroke: var(--secondary-text-color); stroke-width: 0.8; stroke-dasharray: 2 3; }
  .zero { stroke: var(--secondary-text-color); stroke-width: 0.8; }
  .price { fill: var(--warning-color, #ffa600); }
  .area { fill-opacity: 0.25; stroke-width: 1.2; }
  .bar { fill-opacity: 0.85; }
  .bar.discharge { fill-opacity: 0.45; }
  .line { fill: none; stroke-width: 1.6; stroke-linejoin: round; }
  .now { stroke: var(--primary-color, #03a9f4); stroke-width: 1.2; }
  .hit { fill: transparent; }
  .hit:hover { fill: var(--primary-text-color); fill-opacity: 0.06; }
  .legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 0.8em; color: var(--primary-text-color); margin-top: 4px; }
  .legend .item { display: inline-flex; align-items: center; gap: 4px; cursor: pointer; user-select: none; }
  .legend .item.off { opacity: 0.4; text-decoration: line-through; }
  .legend i { display: inline-block; width: 14px; }
  .legend i.box { height: 10px; background: var(--c); opacity: 0.8; }
  .legend i.box.price { background: var(--warning-color, #ffa600); opacity: 0.3; }
  .legend i.line { height: 0; border-top: 2px solid var(--c); }
  .legend i.dash { height: 0; border-top: 2px dashed var(--c); }
`;

if (!customElements.get(CARD_TYPE)) {
  customElements.define(CARD_TYPE, EchonetHemsPlanCard);
  window.customCards = window.customCards || [];
  window.customCards.push({
    type: CARD_TYPE,
    name: "ECHONET HEMS solar charge plan",
    description: "The 48-hour solar charge plan: PV and load forecast, price bands, device power, stored energy.",
    preview: true,
    documentationURL: "https://github.com/echonet-hems/echonet_hems/blob/main/docs/solar_charge.md#plan-card",
  });
}
