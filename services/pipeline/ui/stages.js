// Stages: a team's board columns (the shared ones and the team's own) in order. Drag a row to reorder (one
// PUT of the whole order), add, edit, delete; deleting a stage that holds opportunities asks where to move them.
import { CrmPage, formValues, html, nothing, PagedList } from "crm-ui";
import { API, asNumbers, patchIn, salesTeams, stageName, teamPicker } from "./shared.js";

const STAGES = `${API}/stages`;

/** The form's values with its checkboxes as booleans and numbers as numbers; the API checks them. */
function stageBody(form) {
  const body = asNumbers(formValues(form), "probability", "rotting_days");
  for (const name of ["is_won", "is_folded"]) body[name] = form.elements[name].checked;
  return body;
}

class StagesPage extends CrmPage {
  static properties = { editing: { state: true }, blocked: { state: true } };

  teams = salesTeams(this);
  stages = new PagedList(this, STAGES);
  teamId = null;
  dragged = null;

  constructor() {
    super();
    this.editing = null; // the stage whose edit form is open
    this.blocked = null; // the stage the API refused to delete because it holds opportunities
  }

  chooseTeam(teamId) {
    this.teamId = teamId;
    this.editing = this.blocked = null;
    return this.act(() => this.stages.reload(teamId ? { team_id: teamId } : {}));
  }

  create(event) {
    event.preventDefault();
    const body = stageBody(event.target);
    if (this.teamId) body.team_id = this.teamId;
    return this.createIn(this.stages, event.target, STAGES, body, this.t("Đã thêm giai đoạn.", "Stage added."));
  }

  async save(event) {
    event.preventDefault();
    if (await patchIn(this, this.stages, `${STAGES}/${this.editing.id}`, stageBody(event.target),
                      this.t("Đã lưu giai đoạn.", "Stage saved."))) this.editing = null;
  }

  /** Deletes `stage`, moving its opportunities to `moveTo` when given; a 409 stage_not_empty opens the choice. */
  async deleteStage(stage, moveTo) {
    if (!moveTo && !this.confirm(`Xóa giai đoạn ${stage.name_vi}?`, `Delete the stage ${stage.name_en}?`)) return;
    const query = moveTo ? { move_to: moveTo } : {};
    const done = await this.act(async () => (await this.api(`${STAGES}/${stage.id}`, { method: "DELETE", query })) ?? true,
                                this.t("Đã xóa giai đoạn.", "Stage deleted."));
    this.blocked = !done && this.problem?.problem.code === "stage_not_empty" ? stage : null;
    if (done) await this.act(() => this.stages.reload());
  }

  drop(event, target) {
    event.preventDefault();
    const moved = this.dragged;
    this.dragged = null;
    if (moved && moved.id !== target.id) return this.reorder(moved, this.stages.items.indexOf(target));
  }

  /** Puts `moved` at `index` of the list (by drag, or by the up/down buttons) and sends the whole order. */
  async reorder(moved, index) {
    const ids = this.stages.items.map((s) => s.id).filter((id) => id !== moved.id);
    ids.splice(index, 0, moved.id);
    const ordered = await this.act(() => this.api(`${STAGES}/order`, {
      method: "PUT", body: { team_id: this.teamId, stage_ids: ids } }), this.t("Đã đổi thứ tự.", "Order saved."));
    if (ordered) this.stages.apply(ordered, []);
  }

  fields(stage) {
    return html`
      <label>${this.t("Tên tiếng Việt", "Vietnamese name")} <input name="name_vi" .value=${stage?.name_vi ?? ""}></label>
      <label>${this.t("Tên tiếng Anh", "English name")} <input name="name_en" .value=${stage?.name_en ?? ""}></label>
      <label>${this.t("Xác suất (%)", "Probability (%)")}
        <input name="probability" type="number" .value=${String(stage?.probability ?? "")}></label>
      <label>${this.t("Cảnh báo sau (ngày)", "Rotting after (days)")}
        <input name="rotting_days" type="number" .value=${String(stage?.rotting_days ?? "")}></label>
      <label>${this.t("Yêu cầu", "Requirements")} <input name="requirements" .value=${stage?.requirements ?? ""}></label>
      <label class="inline"><input type="checkbox" name="is_won" .checked=${stage?.is_won ?? false}>
        ${this.t("Giai đoạn thắng", "Won stage")}</label>
      <label class="inline"><input type="checkbox" name="is_folded" .checked=${stage?.is_folded ?? false}>
        ${this.t("Thu gọn trên bảng", "Folded on the board")}</label>`;
  }

  renderMoveChoice() {
    if (!this.blocked) return nothing;
    const others = this.stages.items.filter((s) => s.id !== this.blocked.id);
    return html`<form aria-label=${this.t("Chuyển cơ hội", "Move the opportunities")} @submit=${(event) => {
        event.preventDefault();
        this.deleteStage(this.blocked, new FormData(event.target).get("move_to"));
      }}>
      <label>${this.t("Chuyển cơ hội sang", "Move the opportunities to")}
        <select name="move_to">${others.map((s) => html`<option value=${s.id}>${stageName(this, s)}</option>`)}</select>
      </label>
      <button type="submit" class="danger">${this.t("Chuyển và xóa", "Move and delete")}</button>
      <button type="button" class="secondary" @click=${() => { this.blocked = null; }}>${this.t("Hủy", "Cancel")}</button>
    </form>`;
  }

  render() {
    const write = this.shell.can("stages:write");
    const row = (s, index) => html`<tr draggable=${write ? "true" : "false"} data-stage=${s.id}
        @dragstart=${(event) => { this.dragged = s; event.dataTransfer.setData("text/plain", s.id); }}
        @dragover=${(event) => event.preventDefault()} @drop=${(event) => this.drop(event, s)}>
      <td>${write ? html`<span aria-hidden="true" class="muted">⠿</span> ` : nothing}${stageName(this, s)}</td>
      <td>${s.probability}%</td>
      <td>${s.is_won ? this.t("Thắng", "Won") : ""} ${s.is_folded ? this.t("Thu gọn", "Folded") : ""}</td>
      <td>${s.team_id ? this.teams.items.find((t) => t.id === s.team_id)?.name ?? s.team_id
                      : html`<span class="badge">${this.t("dùng chung", "shared")}</span>`}</td>
      <td>${write ? html`<button class="secondary" aria-label=${this.t("Lên", "Up")} ?disabled=${index === 0}
          @click=${() => this.reorder(s, index - 1)}>↑</button>
        <button class="secondary" aria-label=${this.t("Xuống", "Down")} ?disabled=${index === this.stages.items.length - 1}
          @click=${() => this.reorder(s, index + 1)}>↓</button>
        <button class="secondary" @click=${() => { this.editing = s; }}>${this.t("Sửa", "Edit")}</button>
        <button class="danger" @click=${() => this.deleteStage(s)}>${this.t("Xóa", "Delete")}</button>` : nothing}</td>
    </tr>`;
    return html`<h1>${this.t("Giai đoạn bán hàng", "Sales stages")}</h1>
      <form @submit=${(event) => event.preventDefault()}>${teamPicker(this, this.teams, (id) => this.chooseTeam(id))}</form>
      ${this.renderProblem()}
      ${this.renderMoveChoice()}
      ${this.editing ? html`<h2>${this.t("Sửa giai đoạn", "Edit stage")} ${stageName(this, this.editing)}</h2>
        <form @submit=${this.save} aria-label=${this.t("Sửa giai đoạn", "Edit stage")}>${this.fields(this.editing)}
          <button type="submit">${this.t("Lưu", "Save")}</button>
          <button type="button" class="secondary" @click=${() => { this.editing = null; }}>${this.t("Hủy", "Cancel")}</button>
        </form>` : nothing}
      ${!this.stages.loaded ? html`<p class="muted" role="status">${this.t("Đang tải…", "Loading…")}</p>`
        : !this.stages.items.length ? html`<p class="muted">${this.t("Chưa có giai đoạn.", "No stages yet.")}</p>`
        : html`<p class="muted">${write ? this.t("Kéo một dòng để đổi thứ tự.", "Drag a row to reorder.") : ""}</p>
          <div class="table-wrap"><table>
            <thead><tr><th scope="col">${this.t("Giai đoạn", "Stage")}</th><th scope="col">${this.t("Xác suất", "Probability")}</th>
              <th scope="col"></th><th scope="col">${this.t("Nhóm", "Team")}</th><th scope="col"></th></tr></thead>
            <tbody>${this.stages.items.map(row)}</tbody></table></div>`}
      ${write ? html`<h2>${this.t("Thêm giai đoạn", "New stage")}</h2>
        <form @submit=${this.create} aria-label=${this.t("Thêm giai đoạn", "New stage")}>${this.fields(null)}
          <button type="submit">${this.t("Thêm", "Add")}</button></form>` : nothing}`;
  }
}

customElements.define("pipeline-stages", StagesPage);
