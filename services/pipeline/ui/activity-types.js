// Activity types: calls, meetings, e-mails, to-dos... with their delay and chaining: when an activity of this
// type is done, the next type is created (trigger) or offered (suggest), due after the delay.
import { CrmPage, formValues, html, nothing, PagedList } from "crm-ui";
import { API, asNumbers, patchIn } from "./shared.js";

const TYPES = `${API}/activity-types`;
const CATEGORIES = { call: ["Gọi điện", "Call"], meeting: ["Gặp mặt", "Meeting"], email: ["Email", "E-mail"],
                     todo: ["Việc cần làm", "To-do"], upload_document: ["Tải tài liệu", "Upload a document"] };
const UNITS = { days: ["ngày", "days"], weeks: ["tuần", "weeks"], months: ["tháng", "months"] };
const FROM = { completion: ["từ lúc hoàn thành", "after completion"], deadline: ["từ hạn chót", "after the deadline"] };
const CHAINING = { none: ["Không", "None"], trigger: ["Tự tạo hoạt động tiếp theo", "Create the next one"],
                   suggest: ["Gợi ý hoạt động tiếp theo", "Suggest the next one"] };

/** The form as the API's body: numbers as numbers, an empty next type as none. */
function typeBody(form) {
  const body = asNumbers(formValues(form), "delay_count");
  body.next_type_id = body.next_type_id ?? null;
  return body;
}

class ActivityTypesPage extends CrmPage {
  static properties = { editing: { state: true } };

  types = new PagedList(this, TYPES);

  constructor() {
    super();
    this.editing = null;
  }

  name(typeId) {
    const type = this.types.items.find((t) => t.id === typeId);
    return type ? this.t(type.name_vi, type.name_en) : "";
  }

  create(event) {
    event.preventDefault();
    return this.createIn(this.types, event.target, TYPES, typeBody(event.target),
                         this.t("Đã thêm loại hoạt động.", "Activity type added."));
  }

  async save(event) {
    event.preventDefault();
    if (await patchIn(this, this.types, `${TYPES}/${this.editing.id}`, typeBody(event.target),
                      this.t("Đã lưu loại hoạt động.", "Activity type saved."))) this.editing = null;
  }

  archive(type) {
    return this.deleteFrom(this.types, `${TYPES}/${type.id}`,
                           [`Lưu trữ loại ${type.name_vi}?`, `Archive the type ${type.name_en}?`],
                           this.t("Đã lưu trữ.", "Archived."));
  }

  choice(name, options, value) {
    return html`<select name=${name}>${Object.entries(options).map(([key, [vi, en]]) =>
      html`<option value=${key} ?selected=${key === value}>${this.t(vi, en)}</option>`)}</select>`;
  }

  form(type, submit, label, button) {
    return html`<form @submit=${submit} aria-label=${label}>
      <label>${this.t("Tên tiếng Việt", "Vietnamese name")} <input name="name_vi" .value=${type?.name_vi ?? ""}></label>
      <label>${this.t("Tên tiếng Anh", "English name")} <input name="name_en" .value=${type?.name_en ?? ""}></label>
      <label>${this.t("Loại", "Category")} ${this.choice("category", CATEGORIES, type?.category)}</label>
      <label>${this.t("Tóm tắt mặc định", "Default summary")}
        <input name="default_summary" .value=${type?.default_summary ?? ""}></label>
      <label>${this.t("Xếp lịch sau", "Due after")}
        <input name="delay_count" type="number" .value=${String(type?.delay_count ?? 0)}></label>
      <label>${this.t("Đơn vị", "Unit")} ${this.choice("delay_unit", UNITS, type?.delay_unit)}</label>
      <label>${this.t("Tính", "Counted")} ${this.choice("delay_from", FROM, type?.delay_from)}</label>
      <label>${this.t("Nối tiếp", "Chaining")} ${this.choice("chaining", CHAINING, type?.chaining)}</label>
      <label>${this.t("Loại tiếp theo", "Next type")}
        <select name="next_type_id"><option value="">—</option>${this.types.items.map((t) =>
          html`<option value=${t.id} ?selected=${t.id === type?.next_type_id}>${this.t(t.name_vi, t.name_en)}</option>`)}
        </select></label>
      <button type="submit">${button}</button>
      ${type ? html`<button type="button" class="secondary" @click=${() => { this.editing = null; }}>
        ${this.t("Hủy", "Cancel")}</button>` : nothing}
    </form>`;
  }

  render() {
    const write = this.shell.can("stages:write");
    const label = (options, key) => (options[key] ? this.t(...options[key]) : key);
    return html`<h1>${this.t("Loại hoạt động", "Activity types")}</h1>
      ${this.renderProblem()}
      ${this.editing ? html`<h2>${this.t("Sửa", "Edit")} ${this.name(this.editing.id)}</h2>
        ${this.form(this.editing, this.save, this.t("Sửa loại hoạt động", "Edit activity type"), this.t("Lưu", "Save"))}`
        : nothing}
      ${this.table(this.types, [
        [this.t("Loại hoạt động", "Activity type"), (t) => this.t(t.name_vi, t.name_en)],
        [this.t("Loại", "Category"), (t) => label(CATEGORIES, t.category)],
        [this.t("Xếp lịch sau", "Due after"), (t) => `${t.delay_count} ${label(UNITS, t.delay_unit)} ${label(FROM, t.delay_from)}`],
        [this.t("Nối tiếp", "Chaining"), (t) => (t.chaining === "none" ? label(CHAINING, "none")
                                                  : `${label(CHAINING, t.chaining)}: ${this.name(t.next_type_id)}`)],
        ...(write ? [["", (t) => html`<button class="secondary" @click=${() => { this.editing = t; }}>${this.t("Sửa", "Edit")}</button>
          <button class="danger" @click=${() => this.archive(t)}>${this.t("Lưu trữ", "Archive")}</button>`]] : []),
      ])}
      ${write ? html`<h2>${this.t("Thêm loại hoạt động", "New activity type")}</h2>
        ${this.form(null, this.create, this.t("Thêm loại hoạt động", "New activity type"), this.t("Thêm", "Add"))}` : nothing}`;
  }
}

customElements.define("pipeline-activity-types", ActivityTypesPage);
