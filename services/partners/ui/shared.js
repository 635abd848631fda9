// What the partners' pages share (not a page itself): the API root, money, labels, the partner picker.
import { html, PagedList } from "crm-ui";

export { asNumbers, money, patchIn } from "crm-ui";

export const API = "/api/partners/v1";

export const KINDS = { collaborator: ["Cộng tác viên", "Collaborator"], dealer: ["Đại lý ủy quyền", "Authorized dealer"] };
export const STATUSES = {
  applied: ["Đăng ký", "Applied"], active: ["Đang hoạt động", "Active"],
  suspended: ["Tạm ngưng", "Suspended"], ended: ["Đã chấm dứt", "Ended"],
};
// The moves the API allows (services/partners/service/partners.py TRANSITIONS); the API checks them again.
export const TRANSITIONS = {
  applied: ["active", "ended"], active: ["suspended", "ended"], suspended: ["active", "ended"], ended: [],
};
export const PERIODS = { month: ["Tháng", "Month"], quarter: ["Quý", "Quarter"], year: ["Năm", "Year"] };

export function label(page, labels, key) {
  const pair = labels[key];
  return pair ? page.t(...pair) : key;
}

/** Every partner of the company (for pickers and names). */
export function allPartners(page, query = {}) {
  return new PagedList(page, `${API}/partners`, { limit: 200, ...query });
}

/** A select of the partners, by name; `name` is the form field. */
export function partnerPicker(page, partners, name, labelText, required = true) {
  return html`<label>${labelText}
    <select name=${name} ?required=${required}>
      ${required ? "" : html`<option value="">${page.t("(tất cả)", "(all)")}</option>`}
      ${partners.items.map((p) => html`<option value=${p.id}>${p.customer_name}</option>`)}
    </select></label>`;
}

export function partnerName(partners, id) {
  return partners.items.find((p) => p.id === id)?.customer_name ?? id;
}

/** The first day of the current month, as an ISO date (the default period start). */
export function thisMonth() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-01`;
}
