// Hand-rolled SVG bar charts (not a page): a chart is data, drawn with lit's `svg` templates, readable in
// Vietnamese and English, and saved as a standalone SVG file or a PNG drawn from it. Every colour and font is
// an attribute, not CSS, so the saved file looks as the page does.
import { html } from "crm-ui";
import { svg } from "lit";

export const COLOURS = ["#1d4ed8", "#93c5fd", "#d97706", "#15803d", "#b42318", "#7c3aed"];
const WIDTH = 640;
const LEFT = 150; // room for category labels
const BAR = 14;
const GAP = 10;
const FONT = "Source Sans Pro, Segoe UI, Arial, sans-serif";

/** The number in the page's language: money in the currency, percent with two decimals. */
export function formatted(page, value, format, currency = "VND") {
  if (value === null || value === undefined) return "—";
  const locale = page.lang === "en" ? "en-GB" : "vi-VN";
  if (format === "money") return new Intl.NumberFormat(locale, { style: "currency", currency }).format(value);
  if (format === "percent") return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(value)} %`;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(value);
}

function shorten(text, size) {
  return text.length > size ? `${text.slice(0, size - 1)}…` : text;
}

/** A horizontal grouped bar chart of `spec` = {id, title, categories: [label], series: [{name, values}],
 * format}; each category a group of one bar per series, with its value written after the bar. */
export function barChart(page, spec) {
  const values = spec.series.flatMap((s) => s.values.map((v) => Math.abs(v ?? 0)));
  const top = Math.max(1, ...values);
  const group = spec.series.length * BAR + GAP;
  const legend = 34;
  const height = legend + Math.max(1, spec.categories.length) * group + 16;
  const scale = (WIDTH - LEFT - 120) / top;
  return html`<svg xmlns="http://www.w3.org/2000/svg" role="img" width=${WIDTH} height=${height}
      aria-label=${spec.title} data-chart=${spec.id} font-family=${FONT}>
    <rect x="0" y="0" width=${WIDTH} height=${height} fill="#ffffff"></rect>
    <text x="8" y="16" font-size="14" font-weight="600" fill="#1f2933">${spec.title}</text>
    ${spec.series.map((s, i) => svg`
      <rect x=${8 + i * 170} y="22" width="10" height="10" fill=${COLOURS[i % COLOURS.length]}></rect>
      <text x=${22 + i * 170} y="31" font-size="11" fill="#1f2933">${shorten(s.name, 26)}</text>`)}
    ${spec.categories.length ? spec.categories.map((category, c) => svg`
      <text x=${LEFT - 6} y=${legend + c * group + (spec.series.length * BAR) / 2 + 4} font-size="11"
            text-anchor="end" fill="#1f2933">${shorten(category, 24)}</text>
      ${spec.series.map((s, i) => {
        const value = s.values[c] ?? 0;
        const y = legend + c * group + i * BAR;
        const width = Math.max(value ? 1 : 0, Math.abs(value) * scale);
        return svg`<rect x=${LEFT} y=${y} width=${width} height=${BAR - 2} fill=${COLOURS[i % COLOURS.length]}></rect>
          <text x=${LEFT + width + 4} y=${y + BAR - 4} font-size="10" fill="#3e4c59">${
            formatted(page, s.values[c], spec.format, spec.currency)}</text>`;
      })}`) : svg`<text x=${LEFT} y=${legend + 12} font-size="11" fill="#616e7c">${
        page.t("Chưa có dữ liệu", "No data yet")}</text>`}
  </svg>`;
}

/** The chart's figures as a table, one row per category. */
export function chartTable(page, spec) {
  return html`<div class="table-wrap"><table data-table=${spec.id}>
    <caption>${spec.title}</caption>
    <thead><tr><th scope="col">${spec.categoryHeader ?? ""}</th>
      ${spec.series.map((s) => html`<th scope="col">${s.name}</th>`)}</tr></thead>
    <tbody>${spec.categories.map((category, c) => html`<tr><th scope="row">${category}</th>
      ${spec.series.map((s) => html`<td>${formatted(page, s.values[c], spec.format, spec.currency)}</td>`)}</tr>`)}
    </tbody></table></div>`;
}

function save(blob, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function svgText(element) {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(element)}`;
}

/** Saves the chart `element` (an <svg>) as `<name>.svg`. */
export function saveSvg(element, name) {
  save(new Blob([svgText(element)], { type: "image/svg+xml;charset=utf-8" }), `${name}.svg`);
}

/** Saves the chart `element` as `<name>.png`, drawn at twice its size. */
export async function savePng(element, name) {
  const image = new Image();
  const url = URL.createObjectURL(new Blob([svgText(element)], { type: "image/svg+xml;charset=utf-8" }));
  try {
    await new Promise((resolve, reject) => {
      image.onload = resolve;
      image.onerror = reject;
      image.src = url;
    });
    const canvas = document.createElement("canvas");
    canvas.width = element.width.baseVal.value * 2;
    canvas.height = element.height.baseVal.value * 2;
    const context = canvas.getContext("2d");
    context.scale(2, 2);
    context.drawImage(image, 0, 0);
    save(await new Promise((resolve) => { canvas.toBlob(resolve, "image/png"); }), `${name}.png`);
  } finally {
    URL.revokeObjectURL(url);
  }
}
