// What the pipeline's pages share (not a page itself): the sales-team picker, stage names and money in VND.
import { html, PagedList } from "crm-ui";

// Shared by other services' pages too, so kept in the kit; re-exported for the pipeline's pages.
export { asNumbers, money, patchIn } from "crm-ui";

export const API = "/api/pipeline/v1";

/** The company's sales teams, for the pages that show one team's board; loaded only for whoever may read them. */
export function salesTeams(page) {
  return new PagedList(page, "/api/identity/v1/sales-teams", { limit: 200 });
}

/** A select of the teams; "" stands for every stage of the company. Calls `chosen(teamId or null)`. */
export function teamPicker(page, teams, chosen) {
  return html`<label>${page.t("Nhóm bán hàng", "Sales team")}
    <select @change=${(event) => chosen(event.target.value || null)}>
      <option value="">${page.t("Cả công ty", "Whole company")}</option>
      ${teams.items.map((team) => html`<option value=${team.id}>${team.name}</option>`)}
    </select></label>`;
}

export function stageName(page, stage) {
  return page.t(stage.name_vi, stage.name_en);
}
