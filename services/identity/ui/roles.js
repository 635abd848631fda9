// Roles: the built-in ones and the company's own, with their permissions and whose records they see;
// define a role from permissions, or delete one nobody holds.
import { CrmPage, formValues, html, PagedList } from "crm-ui";

const API = "/api/identity/v1";
const VISIBILITY = {
  own: ["Của mình", "Own records"],
  team: ["Của nhóm", "Their teams' records"],
  branch: ["Của chi nhánh", "Their branch's records"],
  all: ["Toàn công ty", "The whole company"],
};

class RolesPage extends CrmPage {
  roles = new PagedList(this, `${API}/roles`);

  /** Every permission some role has: the built-in owner holds them all, so this is the catalogue. */
  permissions() {
    return [...new Set(this.roles.items.flatMap((role) => role.permissions))].sort();
  }

  create(event) {
    event.preventDefault();
    const form = event.target;
    const data = formValues(form);
    const body = { name: data.name, label: data.label, visibility: data.visibility,
                   permissions: new FormData(form).getAll("permissions") };
    return this.createIn(this.roles, form, `${API}/roles`, body, this.t("Đã tạo vai trò.", "Role created."));
  }

  deleteRole(role) {
    return this.deleteFrom(this.roles, `${API}/roles/${role.id}`,
                           [`Xóa vai trò ${role.label}?`, `Delete the role ${role.label}?`],
                           this.t("Đã xóa vai trò.", "Role deleted."));
  }

  renderForm() {
    if (!this.shell.can("roles:manage")) return "";
    return html`<h2>${this.t("Tạo vai trò", "New role")}</h2>
      <form @submit=${this.create} aria-label=${this.t("Tạo vai trò", "New role")}>
        <label>${this.t("Mã (chữ thường)", "Name (lower case)")} <input name="name" autocomplete="off"></label>
        <label>${this.t("Tên hiển thị", "Label")} <input name="label" autocomplete="off"></label>
        <label>${this.t("Được xem", "Sees")}
          <select name="visibility">${Object.entries(VISIBILITY).map(([value, [vi, en]]) =>
            html`<option value=${value}>${this.t(vi, en)}</option>`)}</select></label>
        <fieldset><legend>${this.t("Quyền", "Permissions")}</legend>
          ${this.permissions().map((p) => html`<label class="inline">
            <input type="checkbox" name="permissions" value=${p}> <code>${p}</code></label>`)}
        </fieldset>
        <button type="submit">${this.t("Tạo vai trò", "Create role")}</button>
      </form>`;
  }

  render() {
    const manage = this.shell.can("roles:manage");
    const sees = (value) => (VISIBILITY[value] ? this.t(...VISIBILITY[value]) : value);
    return html`<h1>${this.t("Vai trò và quyền", "Roles and permissions")}</h1>
      ${this.renderProblem()}
      ${this.table(this.roles, [
        [this.t("Vai trò", "Role"), (r) => html`${r.label} <code class="muted">${r.name}</code>
          ${r.builtin ? html`<span class="badge">${this.t("có sẵn", "built-in")}</span>` : ""}`],
        [this.t("Được xem", "Sees"), (r) => sees(r.visibility)],
        [this.t("Quyền", "Permissions"), (r) => r.permissions.join(", ")],
        ...(manage ? [["", (r) => (r.builtin ? "" : html`<button class="danger" @click=${() => this.deleteRole(r)}>
          ${this.t("Xóa", "Delete")}</button>`)]] : []),
      ])}
      ${this.renderForm()}`;
  }
}

customElements.define("identity-roles", RolesPage);
