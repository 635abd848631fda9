// Sales teams: form one from the company's members (a leader and members), see them, disband one.
import { CrmPage, formValues, html, PagedList } from "crm-ui";

const API = "/api/identity/v1";

class SalesTeamsPage extends CrmPage {
  teams = new PagedList(this, `${API}/sales-teams`);
  members = new PagedList(this, `${API}/members`, { limit: 200 });

  name(userId) {
    const member = this.members.items.find((m) => m.user_id === userId);
    return member ? member.full_name || member.email : userId;
  }

  create(event) {
    event.preventDefault();
    const form = event.target;
    const data = formValues(form);
    const body = { name: data.name, member_ids: new FormData(form).getAll("member_ids") };
    if (data.leader_id) body.leader_id = data.leader_id;
    return this.createIn(this.teams, form, `${API}/sales-teams`, body, this.t("Đã lập nhóm.", "Team formed."));
  }

  disband(team) {
    return this.deleteFrom(this.teams, `${API}/sales-teams/${team.id}`,
                           [`Giải tán nhóm ${team.name}?`, `Disband the team ${team.name}?`],
                           this.t("Đã giải tán nhóm.", "Team disbanded."));
  }

  renderForm() {
    const options = this.members.items.filter((m) => m.is_active)
      .map((m) => html`<option value=${m.user_id}>${m.full_name || m.email}</option>`);
    return html`<form @submit=${this.create} aria-label=${this.t("Lập nhóm", "Form a team")}>
      <label>${this.t("Tên nhóm", "Team name")} <input name="name" autocomplete="off"></label>
      <label>${this.t("Trưởng nhóm", "Leader")}
        <select name="leader_id"><option value="">—</option>${options}</select></label>
      <label>${this.t("Thành viên", "Members")} <select name="member_ids" multiple>${options}</select></label>
      <button type="submit">${this.t("Lập nhóm", "Form team")}</button>
    </form>`;
  }

  render() {
    const manage = this.shell.can("org:manage");
    return html`<h1>${this.t("Nhóm bán hàng", "Sales teams")}</h1>
      ${manage ? this.renderForm() : ""}
      ${this.renderProblem()}
      ${this.table(this.teams, [
        [this.t("Nhóm", "Team"), (t) => t.name],
        [this.t("Trưởng nhóm", "Leader"), (t) => (t.leader_id ? this.name(t.leader_id) : "—")],
        [this.t("Thành viên", "Members"), (t) => t.member_ids.map((id) => this.name(id)).join(", ")],
        ...(manage ? [["", (t) => html`<button class="danger" @click=${() => this.disband(t)}>
          ${this.t("Giải tán", "Disband")}</button>`]] : []),
      ])}`;
  }
}

customElements.define("identity-sales-teams", SalesTeamsPage);
