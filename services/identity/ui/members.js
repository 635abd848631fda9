// Members of the company: their role (changed here by whoever may manage members) and deactivation.
import { CrmPage, html, PagedList } from "crm-ui";

const API = "/api/identity/v1";

class MembersPage extends CrmPage {
  static properties = { roles: { state: true } };

  members = new PagedList(this, `${API}/members`);

  constructor() {
    super();
    this.roles = [];
  }

  connectedCallback() {
    super.connectedCallback();
    if (this.shell.can("members:manage")) this.act(async () => (this.roles = await this.api(`${API}/roles`)));
  }

  async changeRole(member, role) {
    await this.act(() => this.api(`${API}/members/${member.user_id}/role`, { method: "PATCH", body: { role } }),
                   this.t(`Đã đổi vai trò của ${member.email}.`, `${member.email}'s role was changed.`));
    await this.act(() => this.members.reload());
  }

  async deactivate(member) {
    if (!this.confirm(`Vô hiệu hóa ${member.email}? Các phiên đăng nhập của họ kết thúc ngay.`,
                      `Deactivate ${member.email}? Their sessions end at once.`)) return;
    await this.act(() => this.api(`${API}/members/${member.user_id}/deactivate`, { method: "POST" }),
                   this.t(`Đã vô hiệu hóa ${member.email}.`, `${member.email} was deactivated.`));
    await this.act(() => this.members.reload());
  }

  role(member) {
    if (!this.roles.length || !member.is_active) return member.role;
    return html`<select aria-label=${this.t(`Vai trò của ${member.email}`, `Role of ${member.email}`)}
        @change=${(e) => this.changeRole(member, e.target.value)}>
      ${this.roles.map((r) => html`<option value=${r.name} ?selected=${r.name === member.role}>${r.label}</option>`)}
    </select>`;
  }

  render() {
    const manage = this.shell.can("members:manage");
    return html`<h1>${this.t("Thành viên", "Members")}</h1>
      ${this.renderProblem()}
      ${this.table(this.members, [
        [this.t("Email", "Email"), (m) => m.email],
        [this.t("Họ tên", "Name"), (m) => m.full_name],
        [this.t("Vai trò", "Role"), (m) => this.role(m)],
        [this.t("Trạng thái", "Status"), (m) => (m.is_active ? this.t("Đang hoạt động", "Active")
          : html`<span class="badge off">${this.t("Đã vô hiệu hóa", "Deactivated")}</span>`)],
        [this.t("Tham gia", "Joined"), (m) => this.date(m.joined_at)],
        ...(manage ? [["", (m) => (m.is_active ? html`<button class="danger" @click=${() => this.deactivate(m)}>
          ${this.t("Vô hiệu hóa", "Deactivate")}</button>` : "")]] : []),
      ])}`;
  }
}

customElements.define("identity-members", MembersPage);
