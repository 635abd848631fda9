// Webhook endpoints of the company: add one (its signing secret is shown here once), change its URL, event types,
// switch, rate limit and ordering, rotate its secret, send a test event, delete it; and an endpoint's delivery log
// with filters, each delivery's attempts, resend one, and recover the failed ones of a time window.
import { CrmPage, formValues, html, nothing, PagedList } from "crm-ui";

const API = "/api/webhooks/v1";
const REFRESH_MS = 3000; // while a delivery is pending
const STATUSES = {
  pending: ["đang chờ", "pending"],
  succeeded: ["thành công", "succeeded"],
  failed: ["thất bại", "failed"],
  cancelled: ["đã hủy", "cancelled"],
};

/** A list that loads only once it has a path (the deliveries of the endpoint opened). */
class LaterList extends PagedList {
  hostConnected() {
    if (this.path) super.hostConnected();
  }

  open(path, query = {}) {
    this.path = path;
    this.items = [];
    this.loaded = false;
    return this.reload(query);
  }
}

/** A `datetime-local` value as the ISO instant the API takes ("" stays out). */
function instant(value) {
  return value ? new Date(value).toISOString() : undefined;
}

class EndpointsPage extends CrmPage {
  static properties = {
    secret: { state: true }, eventTypes: { state: true }, opened: { state: true }, delivery: { state: true },
  };

  endpoints = new PagedList(this, `${API}/endpoints`);
  deliveries = new LaterList(this, null);

  constructor() {
    super();
    this.secret = null; // {secret, url, expires}: kept in this page only, never stored
    this.eventTypes = [];
    this.opened = null; // the endpoint whose details and delivery log are shown
    this.delivery = null; // the delivery whose attempts are shown
  }

  connectedCallback() {
    super.connectedCallback();
    this.act(async () => { this.eventTypes = await this.api(`${API}/event-types`); });
    this.timer = setInterval(() => this.refreshPending(), REFRESH_MS);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  /** While a delivery of the log (or the one whose attempts are shown) is on its way, follow it. */
  refreshPending() {
    const shown = this.delivery;
    if (!this.deliveries.items.some((d) => d.status === "pending") && shown?.status !== "pending") return;
    this.refreshQuietly(async () => {
      await this.deliveries.reload();
      const again = shown && await this.api(`${API}/deliveries/${shown.id}`);
      if (again && this.delivery?.id === again.id) this.delivery = again;
    });
  }

  /** The endpoint form's fields as the API's body: every field sent, so that an edit can clear them. */
  body(form) {
    const values = new FormData(form);
    const limit = values.get("rate_limit");
    return {
      url: values.get("url"),
      description: values.get("description"),
      event_types: values.getAll("event_types"),
      enabled: form.elements.enabled.checked,
      ordered: form.elements.ordered.checked,
      rate_limit: limit === "" ? null : Number(limit),
      rate_limit_period: values.get("rate_limit_period"),
    };
  }

  async create(event) {
    event.preventDefault();
    const created = await this.createIn(this.endpoints, event.target, `${API}/endpoints`, this.body(event.target),
                                        this.t("Đã thêm điểm nhận.", "Endpoint added."));
    if (created) this.secret = { secret: created.secret, url: created.url };
  }

  async open(endpoint) {
    this.opened = null; // the edit form is drawn again, without what was typed for another endpoint
    await this.updateComplete;
    this.opened = endpoint;
    this.delivery = null;
    await this.act(() => this.deliveries.open(`${API}/endpoints/${endpoint.id}/deliveries`));
  }

  async save(event) {
    event.preventDefault();
    const path = `${API}/endpoints/${this.opened.id}`;
    const saved = await this.act(() => this.api(path, { method: "PATCH", body: this.body(event.target) }),
                                 this.t("Đã lưu điểm nhận.", "Endpoint saved."));
    if (saved) {
      this.opened = saved;
      await this.act(() => this.endpoints.reload());
    }
  }

  async rotate() {
    if (!this.confirm("Tạo khóa ký mới? Khóa cũ vẫn ký thêm 24 giờ.",
                      "Create a new signing secret? The old one keeps signing for 24 hours.")) return;
    const rotated = await this.act(() => this.api(`${API}/endpoints/${this.opened.id}/rotate-secret`,
                                                  { method: "POST" }), this.t("Đã đổi khóa ký.", "Secret rotated."));
    if (rotated) this.secret = { secret: rotated.secret, url: rotated.url, expires: rotated.previous_secret_expires_at };
  }

  async testSend(event) {
    event.preventDefault();
    const sent = await this.act(() => this.api(`${API}/endpoints/${this.opened.id}/test`,
                                               { method: "POST", body: formValues(event.target) }),
                                this.t("Đã gửi sự kiện thử.", "Test event sent."));
    if (sent) await this.act(() => this.deliveries.reload());
  }

  async deleteOpened() {
    const endpoint = this.opened;
    if (!this.confirm(`Xóa điểm nhận ${endpoint.url} cùng nhật ký gửi của nó?`,
                      `Delete the endpoint ${endpoint.url} with its delivery log?`)) return;
    const done = await this.act(async () => {
      await this.api(`${API}/endpoints/${endpoint.id}`, { method: "DELETE" });
      return true;
    }, this.t("Đã xóa điểm nhận.", "Endpoint deleted."));
    if (done) {
      this.opened = null;
      await this.act(() => this.endpoints.reload());
    }
  }

  filter(event) {
    event.preventDefault();
    const { status, event_type: eventType, since, until } = formValues(event.target);
    this.delivery = null;
    return this.act(() => this.deliveries.reload({ status, event_type: eventType, since: instant(since),
                                                   until: instant(until) }));
  }

  async recover(event) {
    event.preventDefault();
    const { since, until } = formValues(event.target);
    const result = await this.act(() => this.api(`${API}/endpoints/${this.opened.id}/recover`, {
      method: "POST", body: { since: instant(since), until: instant(until) } }));
    if (result) {
      this.shell.notify(this.t(`Đã xếp lại ${result.queued} lần gửi thất bại.`,
                               `${result.queued} failed deliveries queued again.`), "success");
      await this.act(() => this.deliveries.reload());
    }
  }

  async show(delivery) {
    this.delivery = (await this.act(() => this.api(`${API}/deliveries/${delivery.id}`))) || null;
  }

  async resend(delivery) {
    const sent = await this.act(() => this.api(`${API}/deliveries/${delivery.id}/resend`, { method: "POST" }),
                                this.t("Đã gửi lại.", "Sent again."));
    if (sent) {
      if (this.delivery?.id === sent.id) this.delivery = sent;
      await this.act(() => this.deliveries.reload());
    }
  }

  status(value) {
    const [vi, en] = STATUSES[value] || [value, value];
    return html`<span class="badge ${value === "failed" ? "off" : ""}" data-status=${value}>${this.t(vi, en)}</span>`;
  }

  endpointState(e) {
    if (!e.enabled) {
      const why = { gone: this.t("máy nhận trả 410", "the receiver answered 410"),
                    failing: this.t("lỗi nhiều ngày", "failing for days") }[e.disabled_reason];
      return html`<span class="badge off">${this.t("đã tắt", "off")}${why ? ` (${why})` : ""}</span>`;
    }
    return e.failing_since
      ? html`<span class="badge off">${this.t("lỗi từ", "failing since")} ${this.date(e.failing_since)}</span>`
      : html`<span class="badge">${this.t("đang bật", "on")}</span>`;
  }

  /** The endpoint form's fields, empty for a new one. */
  fields(e) {
    const chosen = new Set(e?.event_types || []);
    return html`
      <label>${this.t("URL nhận", "Receiving URL")}
        <input name="url" inputmode="url" size="40" autocomplete="off" .value=${e?.url ?? ""}></label>
      <label>${this.t("Mô tả", "Description")} <input name="description" size="24" .value=${e?.description ?? ""}></label>
      <details>
        <summary>${this.t("Loại sự kiện", "Event types")}: ${chosen.size
          ? this.t(`${chosen.size} loại đã chọn`, `${chosen.size} chosen`) : this.t("tất cả", "all")}</summary>
        <fieldset>
          <legend>${this.t("Loại sự kiện (không chọn: tất cả)", "Event types (none chosen: all)")}</legend>
          ${this.eventTypes.map((type) => html`<label class="inline" title=${this.t(type.description_vi, type.description_en)}>
            <input type="checkbox" name="event_types" value=${type.type} .checked=${chosen.has(type.type)}>
            ${type.type}</label>`)}
        </fieldset>
      </details>
      <label class="inline"><input type="checkbox" name="enabled" .checked=${e ? e.enabled : true}>
        ${this.t("Đang bật", "Enabled")}</label>
      <label class="inline"><input type="checkbox" name="ordered" .checked=${e?.ordered ?? false}>
        ${this.t("Gửi theo thứ tự", "Deliver in order")}</label>
      <label>${this.t("Giới hạn tốc độ (để trống: không)", "Rate limit (empty: none)")}
        <input name="rate_limit" type="number" min="1" .value=${e?.rate_limit != null ? String(e.rate_limit) : ""}></label>
      <label>${this.t("mỗi", "per")}
        <select name="rate_limit_period">
          <option value="second" ?selected=${e?.rate_limit_period !== "minute"}>${this.t("giây", "second")}</option>
          <option value="minute" ?selected=${e?.rate_limit_period === "minute"}>${this.t("phút", "minute")}</option>
        </select></label>`;
  }

  renderSecret() {
    if (!this.secret) return nothing;
    const { secret, url, expires } = this.secret;
    return html`<div class="secret" role="status">
      <strong>${this.t(`Khóa ký của ${url} — chỉ hiển thị một lần, hãy lưu lại ngay:`,
                        `The signing secret of ${url} — shown this once only, save it now:`)}</strong>
      <code data-secret>${secret}</code>
      ${expires ? html`<p>${this.t("Khóa cũ vẫn ký đến", "The previous secret also signs until")} ${this.date(expires)}</p>`
                : nothing}
      <button class="secondary" @click=${() => navigator.clipboard?.writeText(secret)}>${this.t("Sao chép", "Copy")}</button>
      <button @click=${() => { this.secret = null; }}>${this.t("Tôi đã lưu khóa", "I have saved it")}</button>
    </div>`;
  }

  renderAttempts() {
    const d = this.delivery;
    if (!d) return nothing;
    return html`<section aria-label=${this.t("Các lần thử", "Attempts")} data-delivery=${d.id}>
      <h3>${this.t("Lần gửi", "Delivery")} <code>${d.message_id}</code> · ${d.event_type} · ${this.status(d.status)}</h3>
      ${this.table({ loaded: true, items: d.attempts }, [
        [this.t("Lúc", "At"), (a) => this.date(a.attempted_at)],
        [this.t("Mã trả về", "Status"), (a) => (a.status_code ?? "—")],
        [this.t("Thời gian (ms)", "Duration (ms)"), (a) => a.duration_ms],
        [this.t("Trả lời", "Response"), (a) => html`<code>${a.response_excerpt}</code>${a.error ? html` <span class="muted">${a.error}</span>` : nothing}`],
      ], this.t("Các lần thử", "Attempts"))}
      <button class="secondary" @click=${() => { this.delivery = null; }}>${this.t("Đóng", "Close")}</button>
    </section>`;
  }

  renderOpened() {
    const e = this.opened;
    if (!e) return nothing;
    return html`<section aria-labelledby="opened">
      <h2 id="opened">${this.t("Điểm nhận", "Endpoint")} ${e.url}</h2>
      <form @submit=${this.save} aria-label=${this.t("Sửa điểm nhận", "Edit endpoint")}>
        ${this.fields(e)}
        <button type="submit">${this.t("Lưu", "Save")}</button>
      </form>
      <div>
        <button class="secondary" @click=${this.rotate}>${this.t("Đổi khóa ký", "Rotate secret")}</button>
        <button class="danger" @click=${this.deleteOpened}>${this.t("Xóa điểm nhận", "Delete endpoint")}</button>
        <button class="secondary" @click=${() => { this.opened = null; }}>${this.t("Đóng", "Close")}</button>
      </div>
      <form @submit=${this.testSend} aria-label=${this.t("Gửi thử", "Test send")}>
        <label>${this.t("Loại sự kiện thử", "Test event type")}
          <select name="event_type">${this.eventTypes.map((t) => html`<option value=${t.type}>${t.type}</option>`)}</select></label>
        <button type="submit">${this.t("Gửi thử", "Send test")}</button>
      </form>

      <h2>${this.t("Nhật ký gửi", "Delivery log")}</h2>
      <form @submit=${this.filter} role="search" aria-label=${this.t("Lọc nhật ký gửi", "Filter the delivery log")}>
        <label>${this.t("Trạng thái", "Status")}
          <select name="status"><option value="">${this.t("Tất cả", "All")}</option>
            ${Object.entries(STATUSES).map(([value, [vi, en]]) => html`<option value=${value}>${this.t(vi, en)}</option>`)}
          </select></label>
        <label>${this.t("Loại sự kiện", "Event type")}
          <select name="event_type"><option value="">${this.t("Tất cả", "All")}</option>
            ${this.eventTypes.map((t) => html`<option value=${t.type}>${t.type}</option>`)}</select></label>
        <label>${this.t("Từ", "From")} <input name="since" type="datetime-local"></label>
        <label>${this.t("Đến trước", "Before")} <input name="until" type="datetime-local"></label>
        <button type="submit">${this.t("Lọc", "Filter")}</button>
      </form>
      ${this.table(this.deliveries, [
        [this.t("Tạo lúc", "Created"), (d) => this.date(d.created_at)],
        [this.t("Sự kiện", "Event"), (d) => d.event_type],
        [this.t("Trạng thái", "Status"), (d) => this.status(d.status)],
        [this.t("Số lần thử", "Attempts"), (d) => d.attempt_count],
        [this.t("Đã nhận lúc", "Delivered"), (d) => this.date(d.delivered_at) || "—"],
        ["", (d) => html`<button class="secondary" @click=${() => this.show(d)}
                           aria-label=${this.t(`Xem các lần thử của ${d.event_type}`, `Attempts of ${d.event_type}`)}>
            ${this.t("Các lần thử", "Attempts")}</button>
          <button class="secondary" @click=${() => this.resend(d)}>${this.t("Gửi lại", "Resend")}</button>`],
      ], this.t("Nhật ký gửi", "Delivery log"))}
      ${this.renderAttempts()}
      <form @submit=${this.recover} aria-label=${this.t("Gửi lại các lần thất bại", "Recover failed deliveries")}>
        <label>${this.t("Thất bại từ", "Failed from")} <input name="since" type="datetime-local"></label>
        <label>${this.t("đến trước (để trống: bây giờ)", "before (empty: now)")} <input name="until" type="datetime-local"></label>
        <button type="submit">${this.t("Gửi lại các lần thất bại", "Recover failed")}</button>
      </form>
    </section>`;
  }

  render() {
    return html`<h1>${this.t("Webhook", "Webhooks")}</h1>
      <p class="muted">${this.t("Mỗi sự kiện được ký theo Standard Webhooks và gửi đến các điểm nhận dưới đây.",
                                "Each event is signed per Standard Webhooks and sent to the endpoints below.")}</p>
      <form @submit=${this.create} aria-label=${this.t("Thêm điểm nhận", "Add an endpoint")}>
        ${this.fields(null)}
        <button type="submit">${this.t("Thêm điểm nhận", "Add endpoint")}</button>
      </form>
      ${this.renderProblem()}
      ${this.renderSecret()}
      ${this.table(this.endpoints, [
        ["URL", (e) => html`<code>${e.url}</code>`],
        [this.t("Mô tả", "Description"), (e) => e.description],
        [this.t("Sự kiện", "Events"), (e) => (e.event_types.length ? e.event_types.join(", ") : this.t("tất cả", "all"))],
        [this.t("Trạng thái", "Status"), (e) => this.endpointState(e)],
        ["", (e) => html`<button class="secondary" @click=${() => this.open(e)}
                           aria-label=${this.t(`Mở ${e.url}`, `Open ${e.url}`)}>${this.t("Mở", "Open")}</button>`],
      ], this.t("Điểm nhận", "Endpoints"))}
      ${this.renderOpened()}`;
  }
}

customElements.define("webhooks-endpoints", EndpointsPage);
