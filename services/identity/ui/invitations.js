// Invitations: invite an email with a role (the invitee gets a mail), see pending ones, withdraw one.
import { CrmPage, formValues, html, PagedList } from "crm-ui";

const API = "/api/identity/v1";

class InvitationsPage extends CrmPage {
  static properties = { roles: { state: true } };

  invitations = new PagedList(this, `${API}/invitations`);

  constructor() {
    super();
    this.roles = [];
  }

  connectedCallback() {
    super.connectedCallback();
    this.act(async () => (this.roles = await this.api(`${API}/roles`)));
  }

  invite(event) {
    event.preventDefault();
    const body = formValues(event.target);
    return this.createIn(this.invitations, event.target, `${API}/invitations`, body,
                         this.t(`Đã gửi lời mời tới ${body.email}.`, `Invitation sent to ${body.email}.`));
  }

  revoke(invitation) {
    return this.deleteFrom(this.invitations, `${API}/invitations/${invitation.id}`,
                           [`Thu hồi lời mời gửi ${invitation.email}?`, `Withdraw the invitation to ${invitation.email}?`],
                           this.t("Đã thu hồi lời mời.", "Invitation withdrawn."));
  }

  render() {
    return html`<h1>${this.t("Lời mời", "Invitations")}</h1>
      <form @submit=${this.invite} aria-label=${this.t("Mời thành viên", "Invite a member")}>
        <label>${this.t("Email", "Email")} <input name="email" type="email" autocomplete="off"></label>
        <label>${this.t("Vai trò", "Role")}
          <select name="role">${this.roles.map((r) => html`<option value=${r.name}>${r.label}</option>`)}</select>
        </label>
        <button type="submit">${this.t("Gửi lời mời", "Send invitation")}</button>
      </form>
      ${this.renderProblem()}
      ${this.table(this.invitations, [
        [this.t("Email", "Email"), (i) => i.email],
        [this.t("Vai trò", "Role"), (i) => i.role],
        [this.t("Gửi lúc", "Sent"), (i) => this.date(i.created_at)],
        [this.t("Hết hạn", "Expires"), (i) => this.date(i.expires_at)],
        ["", (i) => html`<button class="danger" @click=${() => this.revoke(i)}>${this.t("Thu hồi", "Withdraw")}</button>`],
      ], this.t("Lời mời đang chờ", "Pending invitations"))}`;
  }
}

customElements.define("identity-invitations", InvitationsPage);
