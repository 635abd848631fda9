// One customer, shown by the customers page in place of its list (not a menu page of its own): its fields and
// custom attributes, relationship status (changed here, kept in history by the API), contact persons, the
// timeline (interactions, status and lifecycle changes, documents; newest first, a page at a time), the form to
// log an interaction, and documents (multipart upload, download through a short-lived presigned link).
import { formValues, html, nothing, PagedList } from "crm-ui";
import {
  API, attributeInput, attributeText, attributeValues, ContactsPage, field, lifecycleName, lifecycleOptions, selectInput,
  statusName, textInput,
} from "./shared.js";

const KINDS = [["call", "Cuộc gọi", "Call"], ["meeting", "Cuộc gặp", "Meeting"], ["email", "Email", "Email"],
               ["note", "Ghi chú", "Note"], ["care", "Chăm sóc", "Care action"], ["consulting", "Tư vấn bán hàng",
               "Sales consulting"]];
const TIMELINE = { interaction: ["Tương tác", "Interaction"], status_change: ["Đổi trạng thái", "Status change"],
                   lifecycle_change: ["Đổi giai đoạn", "Lifecycle change"], document: ["Tài liệu", "Document"] };

const EDITABLE = ["name", "email", "phone", "tax_code", "lifecycle_stage", "website", "industry", "notes"];

function isoOrNull(local) {
  return local ? new Date(local).toISOString() : undefined;
}

function size(bytes) {
  return bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${(bytes / 1024).toFixed(1)} KB`
    : `${(bytes / 1048576).toFixed(1)} MB`;
}

class CustomerDetail extends ContactsPage {
  static properties = {
    customerId: { attribute: false }, definitions: { attribute: false }, statuses: { attribute: false },
    members: { attribute: false }, customer: { state: true }, persons: { state: true }, documents: { state: true },
    links: { state: true }, editing: { state: true },
  };

  constructor() {
    super();
    this.definitions = [];
    this.statuses = [];
    this.members = [];
    this.customer = null;
    this.persons = [];
    this.documents = [];
    this.links = {}; // document id -> {url, expires_at}
    this.editing = false;
  }

  connectedCallback() {
    // The paged timeline needs the customer's id before it loads (when the element is connected).
    this.timeline = new PagedList(this, `${API}/customers/${this.customerId}/timeline`, { limit: 10 });
    super.connectedCallback();
    this.act(() => this.load());
  }

  firstUpdated() {
    this.renderRoot.querySelector("h1")?.focus();
  }

  get base() {
    return `${API}/customers/${this.customerId}`;
  }

  async load() {
    const [customer, persons, documents] = await Promise.all([
      this.api(this.base), this.api(`${this.base}/persons`), this.api(`${this.base}/documents`)]);
    Object.assign(this, { customer, persons, documents });
  }

  async refresh() {
    await this.act(async () => {
      await this.load();
      await this.timeline.reload();
    });
  }

  close() {
    this.dispatchEvent(new CustomEvent("close"));
  }

  async changeStatus(event) {
    event.preventDefault();
    const id = new FormData(event.target).get("relationship_status_id");
    const done = await this.from("status").act(() => this.api(this.base, { method: "PATCH",
      body: { relationship_status_id: id || null } }), this.t("Đã đổi trạng thái.", "Status changed."));
    if (done) await this.refresh();
  }

  /** Sends what the user changed: a field or attribute emptied goes as null (the API removes an attribute). */
  async save(event) {
    event.preventDefault();
    const form = event.target;
    const values = Object.fromEntries(new FormData(form));
    const body = {};
    for (const name of EDITABLE) {
      const value = values[name] === "" ? null : values[name];
      if (value !== (this.customer[name] ?? null)) body[name] = value;
    }
    const current = this.customer.attributes || {};
    const attributes = Object.fromEntries(Object.entries(attributeValues(form, this.definitions, true))
      .filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(current[key] ?? (value === false ? false : null))));
    if (Object.keys(attributes).length) body.attributes = attributes;
    const saved = await this.from("edit").act(() => this.api(this.base, { method: "PATCH", body }),
                                              this.t("Đã lưu khách hàng.", "Customer saved."));
    if (saved) {
      this.editing = false;
      await this.refresh();
    }
  }

  async logInteraction(event) {
    event.preventDefault();
    const form = event.target;
    const body = formValues(form);
    for (const name of ["occurred_at", "follow_up_at"]) if (body[name]) body[name] = isoOrNull(body[name]);
    if (body.duration_minutes) body.duration_seconds = Math.round(Number(body.duration_minutes) * 60);
    delete body.duration_minutes;
    return this.post(form, "interactions", body, this.t("Đã ghi tương tác.", "Interaction logged."));
  }

  /** POSTs `body` to the customer's `part`; on success empties `form` and shows everything again. */
  async post(form, part, body, done) {
    const posted = await this.act(() => this.api(`${this.base}/${part}`, { method: "POST", body }), done);
    if (posted) {
      form.reset();
      await this.refresh();
    }
  }

  async addPerson(event) {
    event.preventDefault();
    const form = event.target;
    const values = formValues(form);
    const body = { name: values.name, title: values.title, primary: form.elements.primary.checked };
    if (values.phones) body.phones = [{ value: values.phones, primary: true }];
    if (values.emails) body.emails = [{ value: values.emails, primary: true }];
    return this.from("person").post(form, "persons", body, this.t("Đã thêm người liên hệ.", "Contact person added."));
  }

  async deletePerson(person) {
    if (!this.confirm(`Xóa người liên hệ ${person.name}?`, `Remove the contact person ${person.name}?`)) return;
    await this.act(() => this.api(`${this.base}/persons/${person.id}`, { method: "DELETE" }),
                   this.t("Đã xóa người liên hệ.", "Contact person removed."));
    await this.refresh();
  }

  async upload(event) {
    event.preventDefault();
    const form = event.target;
    const body = new FormData();
    const file = form.elements.file.files[0];
    if (file) body.append("file", file);
    if (form.elements.name.value) body.append("name", form.elements.name.value);
    return this.from("document").post(form, "documents", body, this.t("Đã tải tài liệu lên.", "Document uploaded."));
  }

  async link(document) {
    const link = await this.act(() => this.api(`${API}/documents/${document.id}/download`));
    if (!link) return;
    this.links = { ...this.links, [document.id]: link };
    await this.updateComplete;
    this.renderRoot.querySelector(`a[data-download="${document.id}"]`)?.focus();
  }

  async deleteDocument(document) {
    if (!this.confirm(`Xóa tài liệu ${document.name} (bản ${document.version})?`,
                      `Delete the document ${document.name} (version ${document.version})?`)) return;
    await this.act(() => this.api(`${API}/documents/${document.id}`, { method: "DELETE" }),
                   this.t("Đã xóa tài liệu.", "Document deleted."));
    await this.refresh();
  }

  memberName(id) {
    const member = this.members.find((m) => m.user_id === id);
    return member ? member.full_name || member.email : "";
  }

  renderFields(c) {
    const t = this.t.bind(this);
    const status = this.statuses.find((s) => s.id === c.relationship_status_id);
    const rows = [
      [t("Mã", "Code"), c.code], [t("Loại", "Kind"), c.kind === "company" ? t("Doanh nghiệp", "Company") : t("Cá nhân", "Individual")],
      ["Email", c.emails?.length ? c.emails.map((e) => e.value).join(", ") : c.email],
      [t("Điện thoại", "Phone"), c.phones?.length ? c.phones.map((p) => p.value).join(", ") : c.phone],
      [t("Mã số thuế", "Tax code"), c.tax_code], [t("Giai đoạn vòng đời", "Lifecycle stage"), lifecycleName(this, c.lifecycle_stage)],
      [t("Trạng thái quan hệ", "Relationship status"), statusName(this, status)],
      [t("Người phụ trách", "Owner"), this.memberName(c.owner_id)], ["Website", c.website],
      [t("Ngành nghề", "Industry"), c.industry], [t("Ghi chú", "Notes"), c.notes],
      [t("Liên hệ gần nhất", "Last contacted"), this.date(c.last_contacted_at)],
      [t("Tạo lúc", "Created"), this.date(c.created_at)],
      ...this.definitions.map((a) => [t(a.label_vi, a.label_en), attributeText(this, a, c.attributes?.[a.key])]),
    ];
    return html`<dl>${rows.filter(([, value]) => value).map(([name, value]) => html`<dt>${name}</dt><dd>${value}</dd>`)}</dl>`;
  }

  renderEdit(c) {
    const t = this.t.bind(this);
    return html`<h2 id="edit-title">${t("Sửa thông tin", "Edit details")}</h2>
      <form aria-labelledby="edit-title" novalidate @submit=${this.save}>
        ${textInput(this, "edit:name", t("Tên khách hàng", "Customer name"), { value: c.name })}
        ${textInput(this, "edit:email", "Email", { type: "email", value: c.email })}
        ${textInput(this, "edit:phone", t("Điện thoại", "Phone"), { type: "tel", value: c.phone })}
        ${textInput(this, "edit:tax_code", t("Mã số thuế", "Tax code"), { value: c.tax_code })}
        ${selectInput(this, "edit:lifecycle_stage", t("Giai đoạn vòng đời", "Lifecycle stage"), lifecycleOptions(this),
                      { value: c.lifecycle_stage })}
        ${textInput(this, "edit:website", "Website", { value: c.website })}
        ${textInput(this, "edit:industry", t("Ngành nghề", "Industry"), { value: c.industry })}
        ${textInput(this, "edit:notes", t("Ghi chú", "Notes"), { value: c.notes })}
        ${this.definitions.length ? html`<fieldset><legend>${t("Thuộc tính riêng", "Custom attributes")}</legend>
          ${this.definitions.map((a) => attributeInput(this, a, c.attributes?.[a.key] ?? null, "edit:"))}</fieldset>`
          : nothing}
        <button type="submit">${t("Lưu", "Save")}</button>
        <button type="button" class="secondary" @click=${() => { this.editing = false; }}>${t("Hủy", "Cancel")}</button>
      </form>`;
  }

  renderStatus(c, write) {
    const t = this.t.bind(this);
    if (!write) return nothing;
    return html`<form aria-label=${t("Đổi trạng thái quan hệ", "Change the relationship status")} @submit=${this.changeStatus}>
      ${selectInput(this, "status:relationship_status_id", t("Trạng thái quan hệ", "Relationship status"),
                    this.statuses.map((s) => [s.id, statusName(this, s)]),
                    { value: c.relationship_status_id ?? "", empty: t("(chưa có)", "(none)") })}
      <button type="submit">${t("Đổi trạng thái", "Change status")}</button></form>`;
  }

  renderPersons(write) {
    const t = this.t.bind(this);
    return html`<h2>${t("Người liên hệ", "Contact persons")}</h2>
      ${this.persons.length ? html`<div class="table-wrap"><table>
        <thead><tr><th scope="col">${t("Tên", "Name")}</th><th scope="col">${t("Chức danh", "Title")}</th>
          <th scope="col">${t("Điện thoại", "Phone")}</th><th scope="col">Email</th><th scope="col"></th></tr></thead>
        <tbody>${this.persons.map((p) => html`<tr><td>${p.name}
            ${p.primary ? html` <span class="badge">${t("chính", "primary")}</span>` : nothing}</td>
          <td>${p.title ?? ""}</td><td>${p.phones.map((x) => x.value).join(", ")}</td>
          <td>${p.emails.map((x) => x.value).join(", ")}</td>
          <td>${write ? html`<button class="danger" aria-label=${t(`Xóa ${p.name}`, `Remove ${p.name}`)}
            @click=${() => this.deletePerson(p)}>${t("Xóa", "Remove")}</button>` : nothing}</td></tr>`)}
        </tbody></table></div>` : html`<p class="muted">${t("Chưa có người liên hệ.", "No contact persons yet.")}</p>`}
      ${write ? html`<form aria-label=${t("Thêm người liên hệ", "Add a contact person")} novalidate @submit=${this.addPerson}>
        ${textInput(this, "person:name", t("Tên người liên hệ", "Contact person's name"))}
        ${textInput(this, "person:title", t("Chức danh", "Title"))}
        ${textInput(this, "person:phones", t("Điện thoại người liên hệ", "Contact person's phone"), { type: "tel" })}
        ${textInput(this, "person:emails", t("Email người liên hệ", "Contact person's email"), { type: "email" })}
        <label class="inline"><input type="checkbox" name="primary">${t("Liên hệ chính", "Primary contact")}</label>
        <button type="submit">${t("Thêm người liên hệ", "Add contact person")}</button></form>` : nothing}`;
  }

  renderInteractionForm() {
    const t = this.t.bind(this);
    return html`<h2 id="log-title">${t("Ghi tương tác", "Log an interaction")}</h2>
      <form aria-labelledby="log-title" novalidate @submit=${this.logInteraction}>
        ${selectInput(this, "kind", t("Loại tương tác", "Kind of interaction"), KINDS.map(([v, vi, en]) => [v, t(vi, en)]))}
        ${textInput(this, "subject", t("Tiêu đề", "Subject"))}
        ${field(this, "body", t("Nội dung", "Details"), (n, d, bad) => html`<textarea name=${n} rows="3"
          aria-invalid=${bad ? "true" : "false"} aria-describedby=${d}></textarea>`)}
        ${textInput(this, "occurred_at", t("Thời điểm", "When"), { type: "datetime-local" })}
        ${textInput(this, "duration_minutes", t("Thời lượng (phút)", "Duration (minutes)"), { type: "number" })}
        ${selectInput(this, "direction", t("Chiều", "Direction"),
                      [["outbound", t("Gọi/gửi đi", "Outbound")], ["inbound", t("Đến", "Inbound")]], { empty: "—" })}
        ${textInput(this, "outcome", t("Kết quả", "Outcome"))}
        ${textInput(this, "follow_up_at", t("Hẹn theo dõi", "Follow up at"), { type: "datetime-local" })}
        ${this.persons.length ? selectInput(this, "contact_person_id", t("Với người liên hệ", "With contact person"),
                                            this.persons.map((p) => [p.id, p.name]), { empty: "—" }) : nothing}
        <button type="submit">${t("Ghi lại", "Log it")}</button></form>`;
  }

  renderTimeline() {
    const t = this.t.bind(this);
    const list = this.timeline;
    return html`<h2 id="timeline-title">${t("Dòng thời gian", "Timeline")}</h2>
      ${!list.loaded ? html`<p class="muted" role="status">${t("Đang tải…", "Loading…")}</p>`
        : !list.items.length ? html`<p class="muted">${t("Chưa có gì.", "Nothing yet.")}</p>`
        : html`<ol class="timeline" aria-labelledby="timeline-title">${list.items.map((entry) => html`<li data-kind=${entry.kind}>
            <span class="badge">${t(...(TIMELINE[entry.kind] || [entry.kind, entry.kind]))}</span>
            <time datetime=${entry.at}>${this.date(entry.at)}</time>
            <strong>${entry.kind === "lifecycle_change" ? lifecycleName(this, entry.summary) : entry.summary}</strong>
            ${entry.actor_id && this.memberName(entry.actor_id) ? html`<span class="muted">— ${this.memberName(entry.actor_id)}</span>` : nothing}
            ${entry.data?.body ? html`<div>${entry.data.body}</div>` : nothing}</li>`)}</ol>
          ${list.next ? html`<button class="secondary" @click=${() => this.act(() => list.more())}>
            ${t("Tải thêm", "Load more")}</button>` : nothing}`}`;
  }

  renderDocuments(write) {
    const t = this.t.bind(this);
    return html`<h2>${t("Tài liệu", "Documents")}</h2>
      ${this.documents.length ? html`<div class="table-wrap"><table>
        <thead><tr><th scope="col">${t("Tên", "Name")}</th><th scope="col">${t("Bản", "Version")}</th>
          <th scope="col">${t("Cỡ", "Size")}</th><th scope="col">${t("Tải lên lúc", "Uploaded")}</th>
          <th scope="col"></th></tr></thead>
        <tbody>${this.documents.map((d) => html`<tr data-document=${d.id}><td>${d.name}</td><td>${d.version}</td>
          <td>${size(d.size_bytes)}</td><td>${this.date(d.created_at)}</td>
          <td>${this.links[d.id] ? html`<a data-download=${d.id} href=${this.links[d.id].url} target="_blank"
                rel="noopener" download=${d.name}>${t(`Tải xuống ${d.name}`, `Download ${d.name}`)}</a>
              <span class="muted">(${t("hết hạn", "expires")} ${this.date(this.links[d.id].expires_at)})</span>`
            : html`<button class="secondary" aria-label=${t(`Lấy liên kết tải ${d.name}`, `Get a download link for ${d.name}`)}
                @click=${() => this.link(d)}>${t("Tải xuống", "Download")}</button>`}
            ${write ? html`<button class="danger" aria-label=${t(`Xóa tài liệu ${d.name}`, `Delete the document ${d.name}`)}
              @click=${() => this.deleteDocument(d)}>${t("Xóa", "Delete")}</button>` : nothing}</td></tr>`)}
        </tbody></table></div>` : html`<p class="muted">${t("Chưa có tài liệu.", "No documents yet.")}</p>`}
      ${write ? html`<form aria-label=${t("Tải tài liệu lên", "Upload a document")} @submit=${this.upload}>
        ${field(this, "document:file", t("Tệp", "File"), (n, d, bad) => html`<input type="file" name=${n}
          aria-invalid=${bad ? "true" : "false"} aria-describedby=${d}>`)}
        ${textInput(this, "document:name", t("Tên tài liệu (không bắt buộc)", "Document name (optional)"))}
        <button type="submit">${t("Tải lên", "Upload")}</button></form>` : nothing}`;
  }

  render() {
    const t = this.t.bind(this);
    const c = this.customer;
    const write = this.shell.can("customers:write");
    return html`<div class="toolbar"><button class="secondary" @click=${this.close}>
        ← ${t("Danh sách khách hàng", "Customer list")}</button></div>
      <h1 tabindex="-1">${c ? `${c.name} (${c.code})` : t("Khách hàng", "Customer")}</h1>
      ${this.renderProblem()}
      ${c ? html`${this.editing ? this.renderEdit(c) : html`${this.renderFields(c)}
          ${write ? html`<div class="toolbar"><button class="secondary" @click=${() => { this.editing = true; }}>
            ${t("Sửa thông tin", "Edit details")}</button></div>` : nothing}`}
        ${this.renderStatus(c, write)}
        ${this.renderPersons(write)}
        ${write ? this.renderInteractionForm() : nothing}
        ${this.renderTimeline()}
        ${this.renderDocuments(write)}` : html`<p class="muted" role="status">${t("Đang tải…", "Loading…")}</p>`}`;
  }
}

customElements.define("contacts-customer-detail", CustomerDetail);
