// The company's settings: name, language (the admin UI's default for its people), time zone, daily job hour.
import { CrmPage, formValues, html } from "crm-ui";

const API = "/api/identity/v1/tenant/settings";

class SettingsPage extends CrmPage {
  static properties = { settings: { state: true } };

  connectedCallback() {
    super.connectedCallback();
    this.act(async () => (this.settings = await this.api(API)));
  }

  async save(event) {
    event.preventDefault();
    const body = formValues(event.target);
    if (body.daily_jobs_hour !== undefined) body.daily_jobs_hour = Number(body.daily_jobs_hour);
    const saved = await this.act(() => this.api(API, { method: "PATCH", body }),
                                 this.t("Đã lưu cài đặt.", "Settings saved."));
    if (saved) this.settings = saved;
  }

  render() {
    const s = this.settings;
    if (!s) return html`<h1>${this.t("Cài đặt công ty", "Company settings")}</h1>${this.renderProblem()}`;
    const readOnly = !this.shell.can("org:manage");
    return html`<h1>${this.t("Cài đặt công ty", "Company settings")}</h1>
      ${this.renderProblem()}
      <form @submit=${this.save} aria-label=${this.t("Cài đặt công ty", "Company settings")}>
        <label>${this.t("Tên công ty", "Company name")} <input name="name" .value=${s.name} ?disabled=${readOnly}></label>
        <label>${this.t("Mã (slug)", "Slug")} <input .value=${s.slug} disabled></label>
        <label>${this.t("Ngôn ngữ", "Language")}
          <select name="language" ?disabled=${readOnly}>
            <option value="vi" ?selected=${s.language === "vi"}>Tiếng Việt</option>
            <option value="en" ?selected=${s.language === "en"}>English</option>
          </select></label>
        <label>${this.t("Múi giờ", "Time zone")} <input name="time_zone" .value=${s.time_zone} ?disabled=${readOnly}></label>
        <label>${this.t("Giờ chạy việc hằng ngày", "Daily jobs hour")}
          <input name="daily_jobs_hour" type="number" .value=${String(s.daily_jobs_hour)} ?disabled=${readOnly}></label>
        <label>${this.t("Trạng thái", "Status")} <input .value=${s.status} disabled></label>
        ${readOnly ? "" : html`<button type="submit">${this.t("Lưu", "Save")}</button>`}
      </form>`;
  }
}

customElements.define("identity-settings", SettingsPage);
