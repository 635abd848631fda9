// Territories: regions made of whole provinces and of districts within others; which places two territories
// both claim (overlaps) and which provinces nobody covers (gaps).
import { CrmPage, formValues, html, nothing, PagedList } from "crm-ui";
import { API, patchIn } from "./shared.js";

const TERRITORIES = `${API}/territories`;

/** "01: Ba Đình" lines → [{province_code: "01", district: "Ba Đình"}] (the API checks the codes). */
function parseDistricts(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const [code, ...rest] = line.split(":");
    return { province_code: code.trim(), district: rest.join(":").trim() };
  });
}

class TerritoriesPage extends CrmPage {
  static properties = { provinces: { state: true }, coverage: { state: true }, editing: { state: true } };

  territories = new PagedList(this, TERRITORIES);

  constructor() {
    super();
    this.provinces = {};
    this.coverage = null;
    this.editing = null;
  }

  async connectedCallback() {
    super.connectedCallback();
    this.provinces = (await this.act(() => this.api(`${TERRITORIES}/provinces`))) ?? {};
    await this.loadCoverage();
  }

  async loadCoverage() {
    this.coverage = await this.act(() => this.api(`${TERRITORIES}/coverage`));
  }

  province(code) {
    return this.provinces[code] ?? code;
  }

  territoryName(id) {
    return this.territories.items.find((t) => t.id === id)?.name ?? id;
  }

  body(form) {
    const values = formValues(form);
    return { name: values.name, province_codes: [...form.querySelector("select").selectedOptions].map((o) => o.value),
             districts: parseDistricts(values.districts ?? "") };
  }

  async create(event) {
    event.preventDefault();
    const form = event.target;
    if (await this.createIn(this.territories, form, TERRITORIES, this.body(form), this.t("Đã thêm vùng.", "Territory added."))) {
      await this.loadCoverage();
    }
  }

  async save(event) {
    event.preventDefault();
    if (await patchIn(this, this.territories, `${TERRITORIES}/${this.editing.id}`, this.body(event.target),
                      this.t("Đã lưu vùng.", "Territory saved."))) {
      this.editing = null;
      await this.loadCoverage();
    }
  }

  fields(territory) {
    const chosen = new Set(territory?.province_codes ?? []);
    const districts = (territory?.districts ?? []).map((d) => `${d.province_code}: ${d.district}`).join("\n");
    return html`<label>${this.t("Tên vùng", "Name")} <input name="name" required maxlength="100" .value=${territory?.name ?? ""}></label>
      <label>${this.t("Cả tỉnh/thành", "Whole provinces")}
        <select multiple name="province_codes">${Object.entries(this.provinces).map(([code, name]) => html`<option value=${code} ?selected=${chosen.has(code)}>${name}</option>`)}</select></label>
      <label>${this.t("Quận/huyện (mỗi dòng: mã tỉnh: tên)", "Districts (one a line: province code: name)")}
        <textarea name="districts" rows="4" cols="28" placeholder="01: Ba Đình" .value=${districts}></textarea></label>`;
  }

  async removeTerritory(territory) {
    await this.deleteFrom(this.territories, `${TERRITORIES}/${territory.id}`,
                          [`Xóa vùng ${territory.name}?`, `Delete the territory ${territory.name}?`],
                          this.t("Đã xóa vùng.", "Territory deleted."));
    await this.loadCoverage();
  }

  renderCoverage() {
    const c = this.coverage;
    if (!c) return nothing;
    return html`<h2>${this.t("Chồng lấn", "Overlaps")}</h2>
      ${c.overlaps.length ? html`<ul data-overlaps>${c.overlaps.map((o) => html`<li>
          ${this.province(o.province_code)}${o.district ? ` — ${o.district}` : ""}:
          ${o.territory_ids.map((id) => this.territoryName(id)).join(", ")}</li>`)}</ul>`
        : html`<p class="muted">${this.t("Không có nơi nào bị hai vùng cùng phủ.", "No place is claimed twice.")}</p>`}
      <h2>${this.t("Chưa phủ", "Gaps")} <span class="badge">${c.gaps.length}</span></h2>
      <p data-gaps>${c.gaps.map((code) => this.province(code)).join(", ")}</p>`;
  }

  render() {
    const write = this.shell.can("partners:write");
    return html`<h1>${this.t("Vùng phụ trách", "Territories")}</h1>
      ${write ? html`<form @submit=${this.create} aria-label=${this.t("Thêm vùng", "Add a territory")}>
        ${this.fields(null)}
        <button type="submit">${this.t("Thêm vùng", "Add territory")}</button></form>` : nothing}
      ${this.renderProblem()}
      ${this.editing ? html`<form @submit=${this.save} aria-label=${this.t("Sửa vùng", "Edit territory")}>
        ${this.fields(this.editing)}
        <button type="submit">${this.t("Lưu", "Save")}</button>
        <button type="button" class="secondary" @click=${() => { this.editing = null; }}>${this.t("Hủy", "Cancel")}</button>
      </form>` : nothing}
      ${this.table(this.territories, [
        [this.t("Vùng", "Territory"), (t) => t.name],
        [this.t("Tỉnh/thành", "Provinces"), (t) => t.province_codes.map((code) => this.province(code)).join(", ")],
        [this.t("Quận/huyện", "Districts"), (t) => t.districts.map((d) => `${d.district} (${this.province(d.province_code)})`).join(", ")],
        ...(write ? [["", (t) => html`<button class="secondary" @click=${() => { this.editing = t; }}
            aria-label=${this.t(`Sửa ${t.name}`, `Edit ${t.name}`)}>${this.t("Sửa", "Edit")}</button>
          <button class="danger" @click=${() => this.removeTerritory(t)}
            aria-label=${this.t(`Xóa ${t.name}`, `Delete ${t.name}`)}>${this.t("Xóa", "Delete")}</button>`]] : []),
      ])}
      ${this.renderCoverage()}`;
  }
}

customElements.define("partners-territories", TerritoriesPage);
