// Lost reasons: what a salesperson picks when marking an opportunity lost. Add, rename, switch one off or on
// (a reason is never deleted: lost opportunities keep it).
import { CrmPage, formValues, html, nothing, PagedList } from "crm-ui";
import { API, patchIn } from "./shared.js";

const REASONS = `${API}/lost-reasons`;

class LostReasonsPage extends CrmPage {
  static properties = { editing: { state: true } };

  reasons = new PagedList(this, REASONS);

  constructor() {
    super();
    this.editing = null;
  }

  create(event) {
    event.preventDefault();
    return this.createIn(this.reasons, event.target, REASONS, formValues(event.target),
                         this.t("Đã thêm lý do.", "Reason added."));
  }

  async change(reason, body, done) {
    if (await patchIn(this, this.reasons, `${REASONS}/${reason.id}`, body, done)) this.editing = null;
  }

  rename(event) {
    event.preventDefault();
    return this.change(this.editing, formValues(event.target), this.t("Đã lưu lý do.", "Reason saved."));
  }

  fields(reason) {
    return html`<label>${this.t("Tên tiếng Việt", "Vietnamese name")} <input name="name_vi" .value=${reason?.name_vi ?? ""}></label>
      <label>${this.t("Tên tiếng Anh", "English name")} <input name="name_en" .value=${reason?.name_en ?? ""}></label>`;
  }

  render() {
    const write = this.shell.can("stages:write");
    return html`<h1>${this.t("Lý do thất bại", "Lost reasons")}</h1>
      ${write ? html`<form @submit=${this.create} aria-label=${this.t("Thêm lý do", "Add a reason")}>${this.fields(null)}
        <button type="submit">${this.t("Thêm", "Add")}</button></form>` : nothing}
      ${this.renderProblem()}
      ${this.editing ? html`<form @submit=${this.rename} aria-label=${this.t("Sửa lý do", "Edit reason")}>
        ${this.fields(this.editing)}
        <button type="submit">${this.t("Lưu", "Save")}</button>
        <button type="button" class="secondary" @click=${() => { this.editing = null; }}>${this.t("Hủy", "Cancel")}</button>
      </form>` : nothing}
      ${this.table(this.reasons, [
        [this.t("Lý do", "Reason"), (r) => this.t(r.name_vi, r.name_en)],
        [this.t("Trạng thái", "Status"), (r) => (r.is_active ? html`<span class="badge">${this.t("đang dùng", "active")}</span>`
                                                               : html`<span class="badge off">${this.t("đã tắt", "off")}</span>`)],
        ...(write ? [["", (r) => html`<button class="secondary" @click=${() => { this.editing = r; }}>${this.t("Sửa", "Edit")}</button>
          <button class="secondary" @click=${() => this.change(r, { is_active: !r.is_active },
                                                               this.t("Đã lưu lý do.", "Reason saved."))}>
            ${r.is_active ? this.t("Tắt", "Switch off") : this.t("Bật", "Switch on")}</button>`]] : []),
      ])}`;
  }
}

customElements.define("pipeline-lost-reasons", LostReasonsPage);
