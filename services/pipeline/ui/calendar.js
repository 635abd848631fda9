// Calendar: a member's (default: mine) or a sales team's activities for a day, a week (from Monday) or a month,
// in the company's time zone as the API computes it. Mark an activity done with feedback; subscribe a calendar
// app to my private iCalendar URL (shown once) or stop it.
import { css, CrmPage, html, nothing, pageStyles, PagedList } from "crm-ui";
import { API, salesTeams } from "./shared.js";

const CALENDAR = `${API}/calendar`;
const VIEWS = { day: ["Ngày", "Day"], week: ["Tuần", "Week"], month: ["Tháng", "Month"] };
const STATES = { planned: ["đã lên lịch", "planned"], today: ["hôm nay", "today"], overdue: ["quá hạn", "overdue"],
                 done: ["đã xong", "done"], cancelled: ["đã hủy", "cancelled"] };
const WEEKDAYS = [["T2", "Mon"], ["T3", "Tue"], ["T4", "Wed"], ["T5", "Thu"], ["T6", "Fri"], ["T7", "Sat"],
                  ["CN", "Sun"]];

/** `iso` (YYYY-MM-DD) moved by `days`, or by `months` (to the same day, clamped by Date). */
function shifted(iso, { days = 0, months = 0 }) {
  const date = new Date(`${iso}T00:00:00Z`);
  if (months) date.setUTCMonth(date.getUTCMonth() + months, 1);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The days from `first` to `last` (ISO strings), inclusive. */
function daysBetween(first, last) {
  const days = [];
  for (let day = first; day <= last; day = shifted(day, { days: 1 })) days.push(day);
  return days;
}

class CalendarPage extends CrmPage {
  static properties = { calendar: { state: true }, completing: { state: true }, feedUrl: { state: true } };

  static styles = [pageStyles, css`
    .toolbar { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin-bottom: .8rem; }
    .month { display: grid; grid-template-columns: repeat(7, minmax(0, 1fr)); gap: 2px; }
    .month .weekday { font-weight: 600; text-align: center; font-size: .85rem; }
    .day { border: 1px solid #e4e7eb; border-radius: 4px; padding: .3rem; min-height: 5rem; background: #fff; }
    .day.outside { background: #f5f7fa; }
    .day h2 { font-size: .9rem; margin: 0 0 .2rem; }
    .agenda .day { min-height: 0; margin-bottom: .4rem; }
    .item { font-size: .85rem; border-left: 4px solid #93c5fd; padding: .1rem .3rem; margin: .2rem 0; }
    .item.overdue { border-left-color: #b42318; }
    .item.done, .item.cancelled { opacity: .6; text-decoration: line-through; }
    @media (max-width: 700px) { .month { display: block; } .month .weekday, .month .outside { display: none; } }
  `];

  teams = salesTeams(this);
  members = new PagedList(this, "/api/identity/v1/members", { limit: 200 });
  view = "week";
  date = null; // null: today, as the API sees it in the company's zone
  who = ""; // "" me, "user:<id>" or "team:<id>"

  constructor() {
    super();
    this.calendar = null;
    this.completing = null;
    this.feedUrl = null;
  }

  connectedCallback() {
    super.connectedCallback();
    this.act(() => this.load());
  }

  async load() {
    const query = { view: this.view };
    if (this.date) query.date = this.date;
    const [kind, id] = this.who.split(":");
    if (kind === "user") query.user_id = id;
    if (kind === "team") query.team_id = id;
    this.calendar = await this.api(CALENDAR, { query });
  }

  choose(changes) {
    Object.assign(this, changes);
    return this.act(() => this.load());
  }

  step(direction) {
    const from = this.calendar.first_day;
    const date = this.view === "month" ? shifted(from, { months: direction })
      : shifted(from, { days: direction * (this.view === "week" ? 7 : 1) });
    return this.choose({ date });
  }

  async complete(event) {
    event.preventDefault();
    const feedback = new FormData(event.target).get("feedback").trim();
    const done = await this.act(() => this.api(`${API}/activities/${this.completing.id}/done`, {
      method: "POST", body: feedback ? { feedback } : {} }), this.t("Đã hoàn thành hoạt động.", "Activity done."));
    if (done) {
      this.completing = null;
      await this.act(() => this.load());
    }
  }

  async issueFeed() {
    const feed = await this.act(() => this.api(`${CALENDAR}/feed`, { method: "POST" }),
                                this.t("Đã tạo địa chỉ lịch mới.", "New calendar address made."));
    if (feed) this.feedUrl = new URL(feed.url, location.origin).href;
  }

  async revokeFeed() {
    await this.act(() => this.api(`${CALENDAR}/feed`, { method: "DELETE" }),
                   this.t("Đã ngừng địa chỉ lịch.", "Calendar address stopped."));
    this.feedUrl = null;
  }

  itemsOn(day) {
    return this.calendar.items.filter((item) => item.due_date === day);
  }

  time(item) {
    if (item.all_day) return this.t("cả ngày", "all day");
    return new Intl.DateTimeFormat(this.lang === "en" ? "en-GB" : "vi-VN", {
      hour: "2-digit", minute: "2-digit", timeZone: this.calendar.time_zone }).format(new Date(item.due_at));
  }

  renderItem(item) {
    const open = item.status === "open";
    return html`<div class="item ${item.state}" data-activity=${item.id}>
      <strong>${this.time(item)}</strong> ${item.summary}
      <span class="badge">${this.t(...(STATES[item.state] ?? [item.state, item.state]))}</span>
      ${open && this.shell.can("activities:write") ? html`<button class="secondary"
        aria-label=${this.t(`Hoàn thành: ${item.summary}`, `Mark done: ${item.summary}`)}
        @click=${() => { this.completing = item; }}>${this.t("Xong", "Done")}</button>` : nothing}
    </div>`;
  }

  renderDay(day, outside = false) {
    const label = new Intl.DateTimeFormat(this.lang === "en" ? "en-GB" : "vi-VN", {
      weekday: "short", day: "numeric", month: "numeric", timeZone: "UTC" }).format(new Date(`${day}T00:00:00Z`));
    return html`<section class="day ${outside ? "outside" : ""}" data-day=${day} aria-label=${label}>
      <h2>${label}</h2>${this.itemsOn(day).map((item) => this.renderItem(item))}</section>`;
  }

  renderMonth() {
    const { first_day: first, last_day: last } = this.calendar;
    const lead = (new Date(`${first}T00:00:00Z`).getUTCDay() + 6) % 7; // days before the 1st in its Monday week
    const start = shifted(first, { days: -lead });
    const end = shifted(last, { days: (7 - ((lead + daysBetween(first, last).length) % 7)) % 7 });
    return html`<div class="month">
      ${WEEKDAYS.map(([vi, en]) => html`<div class="weekday" aria-hidden="true">${this.t(vi, en)}</div>`)}
      ${daysBetween(start, end).map((day) => this.renderDay(day, day < first || day > last))}</div>`;
  }

  render() {
    const cal = this.calendar;
    return html`<h1>${this.t("Lịch hoạt động", "Activity calendar")}</h1>
      <div class="toolbar">
        <label>${this.t("Xem theo", "View")} <select @change=${(e) => this.choose({ view: e.target.value })}>
          ${Object.entries(VIEWS).map(([key, [vi, en]]) => html`<option value=${key} ?selected=${key === this.view}>
            ${this.t(vi, en)}</option>`)}</select></label>
        <label>${this.t("Lịch của", "Whose")} <select @change=${(e) => this.choose({ who: e.target.value })}>
          <option value="">${this.t("Của tôi", "Mine")}</option>
          ${this.members.items.filter((m) => m.is_active).map((m) => html`<option value="user:${m.user_id}">
            ${m.full_name || m.email}</option>`)}
          ${this.teams.items.map((team) => html`<option value="team:${team.id}">
            ${this.t("Nhóm", "Team")} ${team.name}</option>`)}</select></label>
        <button class="secondary" @click=${() => this.step(-1)} ?disabled=${!cal}>${this.t("← Trước", "← Previous")}</button>
        <button class="secondary" @click=${() => this.choose({ date: null })}>${this.t("Hôm nay", "Today")}</button>
        <button class="secondary" @click=${() => this.step(1)} ?disabled=${!cal}>${this.t("Sau →", "Next →")}</button>
      </div>
      ${this.renderProblem()}
      ${this.completing ? html`<form @submit=${this.complete}
          aria-label=${this.t("Hoàn thành hoạt động", "Complete the activity")}>
        <p>${this.completing.summary}</p>
        <label>${this.t("Kết quả", "Feedback")} <textarea name="feedback"></textarea></label>
        <button type="submit">${this.t("Hoàn thành", "Mark done")}</button>
        <button type="button" class="secondary" @click=${() => { this.completing = null; }}>${this.t("Hủy", "Cancel")}</button>
      </form>` : nothing}
      ${cal ? html`<p data-range>${cal.first_day} → ${cal.last_day} (${cal.time_zone}) ·
          ${this.t(`${cal.items.length} hoạt động`, `${cal.items.length} activities`)}</p>
        ${cal.view === "month" ? this.renderMonth()
          : html`<div class="agenda">${daysBetween(cal.first_day, cal.last_day).map((day) => this.renderDay(day))}</div>`}`
        : nothing}
      <h2>${this.t("Đồng bộ với ứng dụng lịch", "Sync with a calendar app")}</h2>
      <p>${this.t("Địa chỉ iCalendar riêng của bạn: ai có địa chỉ này xem được lịch của bạn, hãy giữ kín.",
                  "Your private iCalendar address: whoever has it can read your calendar, keep it secret.")}</p>
      ${this.feedUrl ? html`<p><label>${this.t("Địa chỉ (chỉ hiện một lần)", "Address (shown once)")}
        <input readonly size="60" .value=${this.feedUrl}></label></p>` : nothing}
      <button @click=${this.issueFeed}>${this.t("Tạo địa chỉ mới", "Make a new address")}</button>
      <button class="secondary" @click=${this.revokeFeed}>${this.t("Ngừng địa chỉ", "Stop the address")}</button>`;
  }
}

customElements.define("pipeline-calendar", CalendarPage);
