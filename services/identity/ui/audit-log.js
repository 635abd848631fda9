// The company's audit log, newest first, filtered by action, object, kind of actor and time.
import { CrmPage, formValues, html, PagedList } from "crm-ui";

class AuditLogPage extends CrmPage {
  entries = new PagedList(this, "/api/identity/v1/audit-log");

  async filter(event) {
    event.preventDefault();
    const query = formValues(event.target);
    for (const key of ["since", "until"]) if (query[key]) query[key] = new Date(query[key]).toISOString();
    await this.act(() => this.entries.reload(query));
  }

  actor(entry) {
    const who = entry.actor_id ? html`<code>${entry.actor_id.slice(0, 8)}</code>` : "";
    const support = entry.support_staff_id
      ? html`<br><span class="badge">${this.t("hỗ trợ", "support")}</span> ${entry.support_reason}` : "";
    return html`${entry.actor_kind} ${who}${support}`;
  }

  render() {
    return html`<h1>${this.t("Nhật ký hoạt động", "Audit log")}</h1>
      <form @submit=${this.filter} aria-label=${this.t("Lọc nhật ký", "Filter the log")}>
        <label>${this.t("Hành động", "Action")} <input name="action" placeholder="member.deactivated"></label>
        <label>${this.t("Loại đối tượng", "Object type")} <input name="object_type" placeholder="api_key"></label>
        <label>${this.t("Mã đối tượng", "Object id")} <input name="object_id"></label>
        <label>${this.t("Người thực hiện", "Actor")}
          <select name="actor_kind"><option value="">${this.t("Tất cả", "Anyone")}</option>
            ${["user", "api_key", "support", "system"].map((kind) => html`<option value=${kind}>${kind}</option>`)}
          </select></label>
        <label>${this.t("Từ", "Since")} <input name="since" type="datetime-local"></label>
        <label>${this.t("Đến", "Until")} <input name="until" type="datetime-local"></label>
        <button type="submit">${this.t("Lọc", "Filter")}</button>
      </form>
      ${this.renderProblem()}
      ${this.table(this.entries, [
        [this.t("Thời điểm", "When"), (e) => this.date(e.at)],
        [this.t("Người thực hiện", "Actor"), (e) => this.actor(e)],
        [this.t("Hành động", "Action"), (e) => html`<code>${e.action}</code>`],
        [this.t("Đối tượng", "Object"), (e) => html`${e.object_type} <code class="muted">${e.object_id || ""}</code>`],
        ["IP", (e) => e.ip || ""],
      ])}`;
  }
}

customElements.define("identity-audit-log", AuditLogPage);
