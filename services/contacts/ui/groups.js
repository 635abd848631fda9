// Customer groups as a tree: create one under a parent chosen from the existing groups, rename, move (the API
// refuses a move under the group itself or one of its subgroups: its problem is shown), delete.
import { formValues, html, nothing, PagedList } from "crm-ui";
import { API, ContactsPage, groupOptions, selectInput, textInput } from "./shared.js";

const GROUPS = `${API}/groups`;

class GroupsPage extends ContactsPage {
  static properties = { editing: { state: true }, moving: { state: true } };

  groups = new PagedList(this, GROUPS);

  constructor() {
    super();
    this.editing = null; // the group being renamed
    this.moving = null; // the group being moved
  }

  create(event) {
    event.preventDefault();
    const body = formValues(event.target);
    return this.createIn(this.groups, event.target, GROUPS, body,
                         this.t(`Đã thêm nhóm ${body.name ?? ""}.`, `Group ${body.name ?? ""} added.`));
  }

  async change(group, body, done) {
    const changed = await this.act(() => this.api(`${GROUPS}/${group.id}`, { method: "PATCH", body }), done);
    if (changed) {
      this.editing = this.moving = null;
      await this.act(() => this.groups.reload());
    }
  }

  rename(event) {
    event.preventDefault();
    return this.from("rename").change(this.editing, { name: new FormData(event.target).get("name") },
                       this.t("Đã đổi tên nhóm.", "Group renamed."));
  }

  move(event) {
    event.preventDefault();
    const parent = new FormData(event.target).get("parent_id");
    return this.from("move").change(this.moving, { parent_id: parent || null }, this.t("Đã chuyển nhóm.", "Group moved."));
  }

  deleteGroup(group) {
    return this.deleteFrom(this.groups, `${GROUPS}/${group.id}`,
                           [`Xóa nhóm ${group.name}?`, `Delete the group ${group.name}?`],
                           this.t("Đã xóa nhóm.", "Group deleted."));
  }

  /** The nested list of `parentId`'s children (the API lists the tree depth first, siblings by name). */
  renderChildren(parentId, write, level = 1) {
    const children = this.groups.items.filter((g) => (g.parent_id ?? null) === parentId);
    if (!children.length) return nothing;
    const t = this.t.bind(this);
    return html`<ul class=${level === 1 ? "tree" : ""}>${children.map((g) => html`<li data-group=${g.id}
        aria-label=${g.name}>
      <div class="node"><strong>${g.name}</strong> <code class="muted">${g.code}</code>
        ${write ? html`<button class="secondary" aria-label=${t(`Đổi tên ${g.name}`, `Rename ${g.name}`)}
            @click=${() => { this.editing = g; this.moving = null; }}>${t("Đổi tên", "Rename")}</button>
          <button class="secondary" aria-label=${t(`Chuyển ${g.name}`, `Move ${g.name}`)}
            @click=${() => { this.moving = g; this.editing = null; }}>${t("Chuyển", "Move")}</button>
          <button class="danger" aria-label=${t(`Xóa ${g.name}`, `Delete ${g.name}`)}
            @click=${() => this.deleteGroup(g)}>${t("Xóa", "Delete")}</button>` : nothing}</div>
      ${this.editing?.id === g.id ? html`<form aria-label=${t(`Đổi tên nhóm ${g.name}`, `Rename the group ${g.name}`)}
          @submit=${this.rename}>
        ${textInput(this, "rename:name", t("Tên mới", "New name"), { value: g.name })}
        <button type="submit">${t("Lưu", "Save")}</button>
        <button type="button" class="secondary" @click=${() => { this.editing = null; }}>${t("Hủy", "Cancel")}</button>
      </form>` : nothing}
      ${this.moving?.id === g.id ? html`<form aria-label=${t(`Chuyển nhóm ${g.name}`, `Move the group ${g.name}`)}
          @submit=${this.move}>
        ${selectInput(this, "move:parent_id", t("Nhóm cha mới", "New parent group"),
                      groupOptions(this.groups.items.filter((other) => other.id !== g.id)),
                      { value: g.parent_id ?? "", empty: t("(cấp cao nhất)", "(top level)") })}
        <button type="submit">${t("Chuyển", "Move")}</button>
        <button type="button" class="secondary" @click=${() => { this.moving = null; }}>${t("Hủy", "Cancel")}</button>
      </form>` : nothing}
      ${this.renderChildren(g.id, write, level + 1)}</li>`)}</ul>`;
  }

  render() {
    const t = this.t.bind(this);
    const write = this.shell.can("customers:write");
    return html`<h1 tabindex="-1">${t("Nhóm khách hàng", "Customer groups")}</h1>
      ${write ? html`<form aria-label=${t("Thêm nhóm", "Add a group")} @submit=${this.create}>
        ${textInput(this, "name", t("Tên nhóm", "Group name"))}
        ${selectInput(this, "parent_id", t("Nhóm cha", "Parent group"), groupOptions(this.groups.items),
                      { empty: t("(cấp cao nhất)", "(top level)") })}
        <button type="submit">${t("Thêm", "Add")}</button></form>` : nothing}
      ${this.renderProblem()}
      ${!this.groups.loaded ? html`<p class="muted" role="status">${t("Đang tải…", "Loading…")}</p>`
        : !this.groups.items.length ? html`<p class="muted">${t("Chưa có nhóm.", "No groups yet.")}</p>`
        : html`<section aria-label=${t("Cây nhóm", "Group tree")}>${this.renderChildren(null, write)}</section>`}`;
  }
}

customElements.define("contacts-groups", GroupsPage);
