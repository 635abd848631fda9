// The board: a team's open opportunities by stage, each column with its count and its expected and weighted
// revenue. Drag a card to another column to move the opportunity to that stage; the board then reloads, so
// the sums are always the API's.
import { css, CrmPage, html, nothing, pageStyles } from "crm-ui";
import { API, money, salesTeams, stageName, teamPicker } from "./shared.js";

const BOARD = `${API}/opportunities/board`;

class BoardPage extends CrmPage {
  static properties = { board: { state: true } };

  static styles = [pageStyles, css`
    .columns { display: flex; gap: .8rem; overflow-x: auto; align-items: flex-start; padding-bottom: .5rem; }
    section { flex: 0 0 15rem; background: #f5f7fa; border: 1px solid #e4e7eb; border-radius: 6px; padding: .5rem;
              min-height: 8rem; }
    section.over { outline: 3px dashed #93c5fd; }
    section h2 { font-size: 1rem; margin: 0 0 .3rem; }
    .sums { font-size: .85rem; margin: 0 0 .5rem; }
    article { background: #fff; border: 1px solid #cbd2d9; border-radius: 4px; padding: .4rem .5rem; margin: .4rem 0;
              cursor: grab; }
    article.rotting { border-left: 4px solid #b42318; }
    article p { margin: .1rem 0; font-size: .85rem; }
    article select { font-size: .8rem; padding: .1rem .3rem; margin-top: .2rem; max-width: 100%; }
  `];

  teams = salesTeams(this);
  teamId = null;
  dragged = null;

  constructor() {
    super();
    this.board = null;
  }

  connectedCallback() {
    super.connectedCallback();
    this.act(() => this.load());
  }

  async load() {
    this.board = await this.api(BOARD, { query: this.teamId ? { team_id: this.teamId } : {} });
  }

  chooseTeam(teamId) {
    this.teamId = teamId;
    return this.act(() => this.load());
  }

  async drop(event, column) {
    event.preventDefault();
    event.currentTarget.classList.remove("over");
    const card = this.dragged;
    this.dragged = null;
    if (card && !column.cards.some((c) => c.id === card.id)) await this.move(card, column.stage.id);
  }

  /** Moves the opportunity to the stage (by drag, or by the card's select for keyboard users), then reloads. */
  async move(card, stageId) {
    await this.act(() => this.api(`${API}/opportunities/${card.id}/stage`, {
      method: "POST", body: { stage_id: stageId } }), this.t("Đã chuyển giai đoạn.", "Stage changed."));
    await this.act(() => this.load());
  }

  renderCard(card, column) {
    const write = this.shell.can("opportunities:write");
    return html`<article draggable=${write ? "true" : "false"} data-opportunity=${card.id}
        class=${card.rotting ? "rotting" : ""} aria-label=${card.name}
        @dragstart=${(event) => { this.dragged = card; event.dataTransfer.setData("text/plain", card.id); }}>
      <strong>${card.name}</strong>
      <p>${money(this, card.expected_revenue, card.currency)} · ${card.probability}%</p>
      ${card.expected_close_date ? html`<p class="muted">${this.t("Dự kiến chốt", "Expected close")}
        ${new Date(card.expected_close_date).toLocaleDateString(this.lang === "en" ? "en-GB" : "vi-VN")}</p>` : nothing}
      ${card.rotting ? html`<p><span class="badge off">${this.t("Lâu chưa cập nhật", "Rotting")}</span></p>` : nothing}
      ${write ? html`<select aria-label=${this.t(`Chuyển ${card.name} sang`, `Move ${card.name} to`)}
          @change=${(event) => this.move(card, event.target.value)}>
        ${this.board.columns.map(({ stage }) => html`<option value=${stage.id} ?selected=${stage.id === column.stage.id}>
          ${stageName(this, stage)}</option>`)}</select>` : nothing}
    </article>`;
  }

  renderColumn(column) {
    const currency = this.board.currency;
    return html`<section data-stage=${column.stage.id} aria-label=${stageName(this, column.stage)}
        @dragover=${(event) => { event.preventDefault(); event.currentTarget.classList.add("over"); }}
        @dragleave=${(event) => event.currentTarget.classList.remove("over")}
        @drop=${(event) => this.drop(event, column)}>
      <h2>${stageName(this, column.stage)} <span class="badge" data-count>${column.count}</span></h2>
      <dl class="sums">
        <dt>${this.t("Doanh thu dự kiến", "Expected revenue")}</dt>
        <dd data-expected>${money(this, column.expected_revenue, currency)}</dd>
        <dt>${this.t("Theo xác suất", "Weighted")}</dt><dd data-weighted>${money(this, column.weighted_revenue, currency)}</dd>
      </dl>
      ${column.cards.map((card) => this.renderCard(card, column))}
      ${column.count > column.cards.length
        ? html`<p class="muted">${this.t(`và ${column.count - column.cards.length} cơ hội khác`,
                                          `and ${column.count - column.cards.length} more`)}</p>` : nothing}
    </section>`;
  }

  render() {
    return html`<h1>${this.t("Bảng cơ hội", "Opportunity board")}</h1>
      <form @submit=${(event) => event.preventDefault()}>${teamPicker(this, this.teams, (id) => this.chooseTeam(id))}</form>
      ${this.renderProblem()}
      ${!this.board ? (this.problem ? nothing : html`<p class="muted" role="status">${this.t("Đang tải…", "Loading…")}</p>`)
        : !this.board.columns.length ? html`<p class="muted">${this.t("Chưa có giai đoạn.", "No stages yet.")}</p>`
        : html`<div class="columns">${this.board.columns.map((column) => this.renderColumn(column))}</div>`}`;
  }
}

customElements.define("pipeline-board", BoardPage);
