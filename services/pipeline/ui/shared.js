// What the pipeline's pages share (not a page itself): the sales-team picker, stage names and money in VND.
import { html, PagedList } from "crm-ui";

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

/** An amount in minor units (VND has none, so đồng) in the user's language. */
export function money(page, amount, currency) {
  const locale = page.lang === "en" ? "en-GB" : "vi-VN";
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(amount);
}

/** `body` with its `names` fields, typed into number inputs, sent as JSON numbers (the API checks them). */
export function asNumbers(body, ...names) {
  for (const name of names) if (name in body) body[name] = Number(body[name]);
  return body;
}

/** PATCHes `body` to `path` for `page`; on success reloads `list`. Answers what the API changed. */
export async function patchIn(page, list, path, body, done) {
  const changed = await page.act(() => page.api(path, { method: "PATCH", body }), done);
  if (changed) await page.act(() => list.reload());
  return changed;
}
