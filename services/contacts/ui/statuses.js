// Relationship statuses: the company's list (add, rename, reorder, delete; the automatic "Đừng quên" is the
// system's and stays), and when a customer becomes "Đừng quên": after N days without contact, unless its
// status is one of those excluded (the settings at /settings).
import { asNumbers, formValues, html, nothing, PagedList, patchIn } from "crm-ui";
import { API, ContactsPage, fieldError, statusName, textInput } from "./shared.js";

const STATUSES = `${API}/relationship-statuses`;
const SETTINGS = `${API}/settings`;

/** What the settings name a status by: its system key ("won", "lost") when it has one, else its id. */
function settingsKey(status) {
  return (status.system_key ?? status.id).toLowerCase();
}

class StatusesPage extends ContactsPage {
  static properties = { editing: { state: true }, settings: { state: true } };

  statuses = new PagedList(this, STATUSES);

  constructor() {
    super();
    this.editing = null;
    this.settings = null;
  }

  connectedCallback() {
    super.connectedCallback();
    this.act(async () => { this.settings = await this.api(SETTINGS); });
  }

  create(event) {
    event.preventDefault();
    return this.createIn(this.statuses, event.target, STATUSES, asNumbers(formValues(event.target), "position"),
                         this.t("Đã thêm trạng thái.", "Status added."));
  }

  async save(event) {
    event.preventDefault();
    const body = asNumbers(formValues(event.target), "position");
    if (!body.name_en) body.name_en = null;
    if (await patchIn(this.from("edit"), this.statuses, `${STATUSES}/${this.editing.id}`, body,
                      this.t("Đã lưu trạng thái.", "Status saved."))) this.editing = null;
  }

  deleteStatus(status) {
    return this.deleteFrom(this.statuses, `${STATUSES}/${status.id}`,
                           [`Xóa trạng thái ${status.name}?`, `Delete the status ${status.name_en || status.name}?`],
                           this.t("Đã xóa trạng thái.", "Status deleted."));
  }

  async saveSettings(event) {
    event.preventDefault();
    const form = event.target;
    const body = {
      dont_forget_after_days: Number(form.elements.dont_forget_after_days.value),
      dont_forget_excluded: [...form.querySelectorAll("input[name=excluded]:checked")].map((input) => input.value),
    };
    const saved = await this.act(() => this.api(SETTINGS, { method: "PATCH", body }),
                                 this.t("Đã lưu cài đặt.", "Settings saved."));
    if (saved) this.settings = saved;
  }

  fields(status, scope = "") {
    const t = this.t.bind(this);
    return html`${textInput(this, `${scope}name`, t("Tên tiếng Việt", "Vietnamese name"), { value: status?.name })}
      ${textInput(this, `${scope}name_en`, t("Tên tiếng Anh", "English name"), { value: status?.name_en })}
      ${textInput(this, `${scope}position`, t("Thứ tự", "Position"), { type: "number", value: status?.position ?? "" })}`;
  }

  renderSettings(write) {
    const t = this.t.bind(this);
    const s = this.settings;
    if (!s) return nothing;
    const excluded = new Set(s.dont_forget_excluded.map((key) => key.toLowerCase()));
    return html`<h2 id="ageing-title">${t("Nhắc “Đừng quên”", "“Don't forget” reminder")}</h2>
      <form aria-labelledby="ageing-title" novalidate @submit=${this.saveSettings}>
        <label>${t("Chuyển sang “Đừng quên” sau (ngày không liên hệ)", "Move to “Don't forget” after (days without contact)")}
          <input name="dont_forget_after_days" type="number" min="1" .value=${String(s.dont_forget_after_days)}
            ?disabled=${!write} aria-describedby="error-dont_forget_after_days">${fieldError(this, "dont_forget_after_days")}
        </label>
        <fieldset><legend>${t("Trừ các trạng thái", "Except customers at")}</legend>
          ${this.statuses.items.filter((st) => st.system_key !== "dont_forget").map((st) => html`<label class="inline">
            <input type="checkbox" name="excluded" value=${settingsKey(st)} ?disabled=${!write}
              .checked=${excluded.has(settingsKey(st))}>${statusName(this, st)}</label>`)}
          ${fieldError(this, "dont_forget_excluded")}</fieldset>
        ${write ? html`<button type="submit">${t("Lưu cài đặt", "Save settings")}</button>` : nothing}
      </form>`;
  }

  render() {
    const t = this.t.bind(this);
    const write = this.shell.can("customers:write");
    return html`<h1 tabindex="-1">${t("Trạng thái quan hệ", "Relationship statuses")}</h1>
      ${this.renderProblem()}
      ${this.editing ? html`<h2>${t("Sửa trạng thái", "Edit status")} ${statusName(this, this.editing)}</h2>
        <form aria-label=${t("Sửa trạng thái", "Edit status")} @submit=${this.save}>${this.fields(this.editing, "edit:")}
          <button type="submit">${t("Lưu", "Save")}</button>
          <button type="button" class="secondary" @click=${() => { this.editing = null; }}>${t("Hủy", "Cancel")}</button>
        </form>` : nothing}
      ${this.table(this.statuses, [
        [t("Thứ tự", "Position"), (s) => s.position],
        [t("Tên", "Name"), (s) => html`${s.name}${s.is_system ? html` <span class="badge" data-system>
          ${t("hệ thống", "system")}</span>` : nothing}`],
        [t("Tên tiếng Anh", "English name"), (s) => s.name_en ?? ""],
        ...(write ? [["", (s) => html`<button class="secondary" aria-label=${t(`Sửa ${s.name}`, `Edit ${s.name}`)}
            @click=${() => { this.editing = s; }}>${t("Sửa", "Edit")}</button>
          ${s.is_system ? nothing : html`<button class="danger" aria-label=${t(`Xóa ${s.name}`, `Delete ${s.name}`)}
            @click=${() => this.deleteStatus(s)}>${t("Xóa", "Delete")}</button>`}`]] : []),
      ], t("Trạng thái quan hệ", "Relationship statuses"))}
      ${write ? html`<h2>${t("Thêm trạng thái", "New status")}</h2>
        <form aria-label=${t("Thêm trạng thái", "New status")} @submit=${this.create}>${this.fields(null)}
          <button type="submit">${t("Thêm", "Add")}</button></form>` : nothing}
      ${this.renderSettings(write)}`;
  }
}

customElements.define("contacts-statuses", StatusesPage);
