// The practice room's page: one person's chat with the bot, as Telegram shows it.
// The contract with the server: /work/wt/briefs/sandbox-contract.md (JSON + Server-Sent Events).
"use strict";

const TEXTS = {
  vi: {
    banner: "Phòng tập — không phải Telegram; không dùng cho dữ liệu thật",
    title: "Phòng tập dondoc",
    youAre: "Bạn là",
    placeholder: "Chọn hoặc tìm một người…",
    noMatch: "Không tìm thấy ai.",
    today: "Hôm nay",
    nextDay: "Ngày hôm sau",
    log: "Trò chuyện với {bot}",
    hint: "Chọn một người ở ô «Bạn là» để trò chuyện với bot với tư cách người đó.",
    empty: "Chưa có tin nhắn. Gửi /start để bắt đầu.",
    input: "Nhập tin nhắn",
    caption: "Chú thích cho tệp (ví dụ /done …)",
    send: "Gửi",
    reply: "Trả lời",
    replyTo: "Trả lời tin nhắn",
    cancelReply: "Hủy trả lời",
    attach: "Đính kèm tệp",
    removeFile: "Bỏ tệp",
    commands: "Lệnh",
    keyboard: "Bàn phím của bot",
    edited: "đã sửa",
    photo: "Ảnh do bot gửi",
    download: "Tải về",
    refusal: "Telegram sẽ từ chối lệnh {method} của bot: {description}",
    reconnecting: "Mất kết nối với phòng tập, đang kết nối lại…",
    error: "Không làm được: {error}",
    newDay: "Sang ngày {date}",
    you: "Bạn",
  },
  en: {
    banner: "Practice room — not Telegram; not for real data",
    title: "dondoc practice room",
    youAre: "You are",
    placeholder: "Choose or search for a person…",
    noMatch: "Nobody found.",
    today: "Today",
    nextDay: "Next day",
    log: "Chat with {bot}",
    hint: "Choose a person in «You are» to chat with the bot as that person.",
    empty: "No messages yet. Send /start to begin.",
    input: "Type a message",
    caption: "Caption for the file (e.g. /done …)",
    send: "Send",
    reply: "Reply",
    replyTo: "Reply to message",
    cancelReply: "Cancel reply",
    attach: "Attach a file",
    removeFile: "Remove the file",
    commands: "Commands",
    keyboard: "The bot's keyboard",
    edited: "edited",
    photo: "Photo sent by the bot",
    download: "Download",
    refusal: "Telegram would refuse the bot's {method}: {description}",
    reconnecting: "Lost the connection to the practice room, reconnecting…",
    error: "Could not do it: {error}",
    newDay: "Now {date}",
    you: "You",
  },
};

// A file's icon, drawn here: emoji need a colour font the machine may not have.
const DOC_ICON =
  '<svg viewBox="0 0 24 24" width="28" height="28" focusable="false"><path fill="currentColor" ' +
  'd="M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm7 1.5V9h5.5L13 3.5z"/></svg>';

const $ = (id) => document.getElementById(id);

const state = {
  lang: "vi",
  people: [], // [{title, people: [...]}]
  bot: { name: "", username: "" },
  today: "",
  person: null, // the chosen person (an entry of /api/people)
  source: null, // the EventSource of the chosen person
  retry: null, // the timer of a reconnection
  backoff: 1000,
  replyTo: null, // {id, snippet}
  file: null,
  commands: [],
  keyboard: null,
  toastTimer: null,
  heard: { commands: 0, keyboard: 0 }, // events of each kind heard on the stream
};

function t(key, values = {}) {
  const text = (TEXTS[state.lang] || TEXTS.vi)[key] ?? TEXTS.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
}

// "2026-12-05" → "05/12/2026", the Vietnamese way (the page's English uses it too).
function formatDay(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
  return match ? `${match[3]}/${match[2]}/${match[1]}` : "";
}

// The time of day the sandbox's clock gave, not converted to the browser's zone.
function formatTime(iso) {
  const match = /T(\d{2}:\d{2})/.exec(iso || "");
  return match ? match[1] : "";
}

function formatSize(bytes) {
  if (bytes == null) return "";
  if (bytes < 1024) return `${bytes} B`;
  const kb = bytes / 1024;
  if (kb < 1024) return `${Math.round(kb)} KB`;
  return `${(kb / 1024).toFixed(1).replace(".", state.lang === "vi" ? "," : ".")} MB`;
}

// Diacritics and case do not matter when searching: "nguyen van" finds «Nguyễn Văn».
function fold(text) {
  return (text || "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .toLowerCase();
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "html") node.innerHTML = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

// --- talking to the server -----------------------------------------------------------------

async function api(path, options = {}) {
  const init = { method: options.method || "GET", headers: {} };
  if (options.json !== undefined) {
    init.body = JSON.stringify(options.json);
    init.headers["Content-Type"] = "application/json";
  } else if (options.form) {
    init.body = options.form;
  }
  const response = await fetch(path, init);
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    throw new Error((body && body.error) || `${response.status} ${response.statusText}`);
  }
  return body || {};
}

function showError(error) {
  showToast(t("error", { error: error.message || String(error) }));
}

// --- the page's words ----------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  $("banner").textContent = t("banner");
  $("person-label").textContent = t("youAre");
  $("person").placeholder = t("placeholder");
  $("today-label").textContent = t("today");
  $("next-day").textContent = t("nextDay");
  $("log").setAttribute("aria-label", t("log", { bot: state.bot.name || "bot" }));
  $("text").setAttribute("aria-label", state.file ? t("caption") : t("input"));
  $("text").placeholder = state.file ? t("caption") : t("input");
  $("send").textContent = t("send");
  $("reply-title").textContent = t("replyTo");
  $("reply-cancel").setAttribute("aria-label", t("cancelReply"));
  $("attach").setAttribute("aria-label", t("attach"));
  $("file-cancel").setAttribute("aria-label", t("removeFile"));
  $("menu-button").setAttribute("aria-label", t("commands"));
  $("reply-keyboard").setAttribute("aria-label", t("keyboard"));
  const hint = $("hint");
  if (hint) hint.textContent = state.person ? t("empty") : t("hint");
  for (const button of document.querySelectorAll(".msg-reply")) button.textContent = t("reply");
  for (const mark of document.querySelectorAll(".edited")) mark.textContent = t("edited");
}

function setToday(iso) {
  if (!iso) return;
  state.today = iso;
  const time = $("today");
  time.dateTime = iso;
  time.textContent = formatDay(iso);
}

// --- «Bạn là»: the person chooser (an ARIA combobox over a grouped listbox) ------------------

function personSummary(person) {
  return [person.role_label, person.unit_name].filter(Boolean).join(" · ");
}

function renderPeople() {
  const list = $("people");
  const query = fold($("person").value.trim());
  const showAll = !query || (state.person && $("person").value === state.person.name);
  list.replaceChildren();
  let index = 0;
  for (const group of state.people) {
    const matches = group.people.filter(
      (person) =>
        showAll ||
        fold(`${person.name} ${person.role_label} ${person.unit} ${person.unit_name} ${group.title}`)
          .includes(query),
    );
    if (!matches.length) continue;
    const headingId = `group-${index++}`;
    const box = el("div", { role: "group", "aria-labelledby": headingId, class: "group" });
    box.append(el("div", { id: headingId, class: "group-title", role: "presentation", text: group.title }));
    for (const person of matches) {
      const chosen = state.person && state.person.user_id === person.user_id;
      box.append(
        el(
          "div",
          {
            role: "option",
            id: `person-${person.user_id}`,
            class: "option",
            "aria-selected": chosen ? "true" : "false",
            "data-user": String(person.user_id),
            onmousedown: (event) => event.preventDefault(), // keep the focus in the box
            onclick: () => choosePerson(person),
          },
          el("span", { class: "option-name", text: person.name }),
          el("span", { class: "option-meta", text: personSummary(person) }),
        ),
      );
    }
    list.append(box);
  }
  if (!list.children.length) list.append(el("p", { class: "no-match", text: t("noMatch") }));
  setActiveOption(list.querySelector('[aria-selected="true"]') || list.querySelector('[role="option"]'));
}

function setActiveOption(option) {
  const input = $("person");
  for (const other of $("people").querySelectorAll(".option.active")) other.classList.remove("active");
  if (!option) {
    input.removeAttribute("aria-activedescendant");
    return;
  }
  option.classList.add("active");
  input.setAttribute("aria-activedescendant", option.id);
  option.scrollIntoView({ block: "nearest" });
}

function openPeople() {
  if (!$("people").hidden) return;
  $("people").hidden = false;
  $("person").setAttribute("aria-expanded", "true");
  renderPeople();
}

function closePeople({ restore = true } = {}) {
  $("people").hidden = true;
  $("person").setAttribute("aria-expanded", "false");
  $("person").removeAttribute("aria-activedescendant");
  if (restore) $("person").value = state.person ? state.person.name : "";
}

function movePeople(step) {
  const options = [...$("people").querySelectorAll('[role="option"]')];
  if (!options.length) return;
  const current = options.findIndex((option) => option.classList.contains("active"));
  const next = current < 0 ? 0 : (current + step + options.length) % options.length;
  setActiveOption(options[next]);
}

function findPerson(userId) {
  for (const group of state.people) {
    for (const person of group.people) if (person.user_id === userId) return person;
  }
  return null;
}

function wireChooser() {
  const input = $("person");
  input.addEventListener("focus", () => input.select());
  input.addEventListener("click", openPeople);
  input.addEventListener("input", () => {
    $("people").hidden = false;
    input.setAttribute("aria-expanded", "true");
    renderPeople();
  });
  input.addEventListener("keydown", (event) => {
    const open = !$("people").hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) openPeople();
      else movePeople(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter") {
      if (!open) return;
      event.preventDefault();
      const active = $("people").querySelector(".option.active");
      if (active) choosePerson(findPerson(Number(active.dataset.user)));
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        closePeople();
      }
    }
  });
  input.addEventListener("blur", () => closePeople());
}

// --- the chosen person's chat ---------------------------------------------------------------

async function choosePerson(person, { updateUrl = true } = {}) {
  if (!person) return;
  closePeople({ restore: false });
  $("person").value = person.name;
  if (state.person && state.person.user_id === person.user_id && state.source) return;
  state.person = person;
  state.lang = person.lang === "en" ? "en" : "vi";
  if (updateUrl) history.replaceState(null, "", `#u=${person.user_id}`);
  clearReply();
  clearFile();
  closeMenu();
  $("log").replaceChildren(el("p", { class: "hint", id: "hint" }));
  for (const id of ["text", "send", "attach"]) $(id).disabled = false;
  applyLanguage();
  await connect(); // first the stream, then the history: nothing said in between is lost
  if (state.person !== person) return;
  await loadChat();
  $("text").focus();
}

// The page opened as /?link=0 leaves linking to the trainee (/start, «Chia sẻ số điện thoại»);
// otherwise the room links a person the first time they are chosen.
function chatPath(person) {
  const link = new URLSearchParams(location.search).get("link") === "0" ? "?link=0" : "";
  return `/api/chat/${person.user_id}${link}`;
}

async function loadChat() {
  const person = state.person;
  if (!person) return;
  // A menu or keyboard that came over the stream while the history was on its way is newer.
  const heard = { commands: state.heard.commands, keyboard: state.heard.keyboard };
  let chat;
  try {
    chat = await api(chatPath(person));
  } catch (error) {
    showError(error);
    return;
  }
  if (state.person !== person) return; // another person was chosen meanwhile
  state.lang = chat.lang === "en" ? "en" : "vi";
  applyLanguage();
  if (heard.commands === state.heard.commands) setCommands(chat.commands || []);
  if (heard.keyboard === state.heard.keyboard) setKeyboard(chat.reply_keyboard || null);
  for (const message of chat.messages || []) upsertMessage(message, { scroll: false });
  scrollToEnd();
}

// One stream per open page; the browser reconnects by itself after a network drop, and the
// page starts a new stream when the server closed it for good (a restart, an error status).
// Resolves once the stream is open (or failed, or after 5 s: the history is loaded anyway).
function connect() {
  disconnect();
  const person = state.person;
  const source = new EventSource(`/api/events/${person.user_id}`);
  state.source = source;
  let dropped = false;
  const opened = new Promise((resolve) => {
    source.addEventListener("open", resolve, { once: true });
    source.addEventListener("error", resolve, { once: true });
    setTimeout(resolve, 5000);
  });
  source.addEventListener("open", () => {
    state.backoff = 1000;
    setStatus(null);
    if (dropped) {
      dropped = false;
      loadChat(); // what was said while the stream was down
    }
  });
  source.addEventListener("error", () => {
    if (state.source !== source) return;
    dropped = true;
    setStatus(t("reconnecting"));
    if (source.readyState === EventSource.CLOSED) {
      state.retry = setTimeout(() => {
        if (state.source === source) {
          connect();
          loadChat();
        }
      }, state.backoff);
      state.backoff = Math.min(state.backoff * 2, 15000);
    }
  });
  const on = (name, handle) =>
    source.addEventListener(name, (event) => {
      if (state.source !== source) return;
      handle(JSON.parse(event.data));
    });
  on("message", (message) => upsertMessage(message));
  on("commands", (data) => {
    state.heard.commands += 1;
    setCommands(data.commands || []);
    refreshLanguage(); // the bot sets the menu again after /lang
  });
  on("keyboard", (data) => {
    state.heard.keyboard += 1;
    setKeyboard(data.reply_keyboard || null);
  });
  on("callback_answer", (data) => {
    if (!data.text) return;
    if (data.show_alert) showAlert(data.text);
    else showToast(data.text);
  });
  on("refusal", (data) => appendNote(t("refusal", data), "refusal"));
  on("clock", (data) => {
    if (data.today && data.today !== state.today) {
      setToday(data.today);
      appendNote(t("newDay", { date: formatDay(data.today) }), "day");
    }
  });
  return opened;
}

function disconnect() {
  clearTimeout(state.retry);
  if (state.source) state.source.close();
  state.source = null;
}

async function refreshLanguage() {
  const person = state.person;
  try {
    const chat = await api(chatPath(person));
    if (state.person !== person) return;
    const lang = chat.lang === "en" ? "en" : "vi";
    if (lang !== state.lang) {
      state.lang = lang;
      applyLanguage();
      renderMenu();
    }
  } catch (error) {
    showError(error);
  }
}

function setStatus(text) {
  const status = $("status");
  status.hidden = !text;
  status.textContent = text || "";
}

// --- messages --------------------------------------------------------------------------------

function nearEnd() {
  const log = $("log");
  return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
}

function scrollToEnd() {
  const log = $("log");
  log.scrollTop = log.scrollHeight;
  state.atEnd = true;
}

// The log keeps showing its last message when the space around it changes (the reply
// keyboard appears, the reply bar opens, the phone turns) if it showed it before.
function wireLog() {
  const log = $("log");
  state.atEnd = true;
  log.addEventListener("scroll", () => {
    state.atEnd = nearEnd();
  });
  new ResizeObserver(() => {
    if (state.atEnd) log.scrollTop = log.scrollHeight;
  }).observe(log);
}

function renderMessage(message) {
  const mine = message.from === "user";
  const bubble = el("div", { class: "bubble" });
  if (message.reply_to) {
    bubble.append(
      el(
        "a",
        {
          class: "quote",
          href: `#m-${message.reply_to.id}`,
          onclick: (event) => {
            event.preventDefault();
            const target = $(`m-${message.reply_to.id}`);
            if (target) target.scrollIntoView({ block: "center", behavior: "smooth" });
          },
        },
        el("span", { class: "quote-text", text: message.reply_to.snippet || "…" }),
      ),
    );
  }
  if (message.photo) {
    const photo = message.photo;
    bubble.append(
      el(
        "a",
        { class: "photo", href: photo.url, target: "_blank", rel: "noopener" },
        el("img", {
          src: photo.url,
          alt: t("photo"),
          width: photo.width || null,
          height: photo.height || null,
        }),
      ),
    );
  }
  if (message.document) {
    const doc = message.document;
    bubble.append(
      el(
        "a",
        { class: "document", href: doc.url, download: doc.name || "", title: t("download") },
        el("span", { class: "doc-icon", "aria-hidden": "true", html: DOC_ICON }),
        el(
          "span",
          { class: "doc-text" },
          el("span", { class: "doc-name", text: doc.name || "file" }),
          el("span", { class: "doc-size", text: formatSize(doc.size) }),
        ),
      ),
    );
  }
  const html = message.html || message.caption_html;
  if (html) bubble.append(el("div", { class: "text", html }));
  for (const link of bubble.querySelectorAll(".text a[href]")) {
    link.target = "_blank";
    link.rel = "noopener noreferrer";
  }
  bubble.append(
    el(
      "div",
      { class: "meta" },
      message.edited ? el("span", { class: "edited", text: t("edited") }) : null,
      el("time", { dateTime: message.date || "", text: formatTime(message.date) }),
      el("button", {
        type: "button",
        class: "msg-reply",
        text: t("reply"),
        onclick: () => startReply(message),
      }),
    ),
  );
  const node = el(
    "article",
    { class: `msg ${mine ? "mine" : "theirs"}`, id: `m-${message.id}`, "data-id": String(message.id) },
    bubble,
  );
  if (message.inline_keyboard && message.inline_keyboard.length) {
    node.append(renderInlineKeyboard(message));
  }
  return node;
}

function renderInlineKeyboard(message) {
  const keyboard = el("div", { class: "inline-keyboard" });
  for (const row of message.inline_keyboard) {
    const line = el("div", { class: "row" });
    for (const key of row) {
      if (key.url) {
        line.append(
          el("a", { class: "key", href: key.url, target: "_blank", rel: "noopener noreferrer", text: key.text }),
        );
      } else {
        line.append(
          el("button", {
            type: "button",
            class: "key",
            text: key.text,
            onclick: (event) => press(message, key, event.currentTarget),
          }),
        );
      }
    }
    keyboard.append(line);
  }
  return keyboard;
}

function upsertMessage(message, { scroll = true } = {}) {
  const log = $("log");
  const follow = message.from === "user" || nearEnd();
  const hint = $("hint");
  if (hint) hint.remove();
  const node = renderMessage(message);
  const existing = $(`m-${message.id}`);
  if (existing) {
    existing.replaceWith(node);
    return;
  }
  const later = [...log.querySelectorAll(".msg")].find((other) => Number(other.dataset.id) > message.id);
  if (later) log.insertBefore(node, later);
  else log.append(node);
  if (scroll && follow) scrollToEnd();
}

// A note of the practice room in the chat (a refusal, a new day): not a Telegram message.
function appendNote(text, kind) {
  const follow = nearEnd();
  const hint = $("hint");
  if (hint) hint.remove();
  $("log").append(el("p", { class: `note ${kind}`, role: kind === "refusal" ? "alert" : null, text }));
  if (follow) scrollToEnd();
}

async function press(message, key, button) {
  button.disabled = true;
  try {
    await api(`/api/press/${state.person.user_id}`, {
      method: "POST",
      json: { message_id: message.id, callback_data: key.callback_data },
    });
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
}

// --- toast and alert (answerCallbackQuery) ---------------------------------------------------

function showToast(text) {
  const toast = $("toast");
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(state.toastTimer);
  state.toastTimer = setTimeout(() => {
    toast.hidden = true;
  }, 4000);
}

function showAlert(text) {
  $("alert-text").textContent = text;
  const dialog = $("alert");
  if (!dialog.open) dialog.showModal();
  $("alert-ok").focus();
}

// --- replying and attaching ------------------------------------------------------------------

function snippetOf(message) {
  const holder = document.createElement("div");
  holder.innerHTML = message.html || message.caption_html || "";
  let text = holder.textContent.trim();
  if (!text && message.document) text = message.document.name || "";
  if (!text && message.photo) text = t("photo");
  return text.length > 90 ? `${text.slice(0, 90)}…` : text;
}

function startReply(message) {
  showReply({ id: message.id, snippet: snippetOf(message) });
  $("text").focus();
}

function showReply(reply) {
  state.replyTo = reply;
  $("reply-snippet").textContent = reply.snippet;
  $("reply-bar").hidden = false;
}

function clearReply() {
  state.replyTo = null;
  $("reply-bar").hidden = true;
  $("reply-snippet").textContent = "";
}

function setFile(file) {
  state.file = file;
  $("file-name").textContent = file ? `${file.name} · ${formatSize(file.size)}` : "";
  $("file-bar").hidden = !file;
  applyLanguage();
  $("text").focus();
}

function clearFile() {
  state.file = null;
  $("file").value = "";
  $("file-bar").hidden = true;
  applyLanguage();
}

// --- sending ---------------------------------------------------------------------------------

async function submit() {
  const person = state.person;
  if (!person) return;
  const box = $("text");
  const text = box.value.trim();
  const file = state.file;
  if (!text && !file) return;
  const reply = state.replyTo;
  const replyTo = reply ? reply.id : null;
  // The box empties at once, as in Telegram; what was written comes back if the send fails.
  box.value = "";
  clearReply();
  clearFile();
  autosize();
  $("send").disabled = true;
  try {
    let answer;
    if (file) {
      const form = new FormData();
      form.append("file", file, file.name);
      if (text) form.append("caption", text);
      if (replyTo != null) form.append("reply_to", String(replyTo));
      answer = await api(`/api/upload/${person.user_id}`, { method: "POST", form });
    } else {
      answer = await api(`/api/send/${person.user_id}`, {
        method: "POST",
        json: { text, reply_to: replyTo },
      });
    }
    if (answer.message && state.person === person) upsertMessage(answer.message);
  } catch (error) {
    if (state.person === person) {
      box.value = text;
      autosize();
      if (reply) showReply(reply);
      if (file) setFile(file);
    }
    showError(error);
  } finally {
    $("send").disabled = false;
    box.focus();
  }
}

async function sendText(text) {
  $("text").value = text;
  await submit();
}

function autosize() {
  const box = $("text");
  if (!box.value) {
    box.style.height = ""; // one line, whatever the placeholder's length
    return;
  }
  box.style.height = "auto";
  box.style.height = `${Math.min(box.scrollHeight, 160)}px`;
}

function wireComposer() {
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === "Escape") {
      if (state.replyTo) clearReply();
      else if (state.file) clearFile();
    }
  });
  $("text").addEventListener("input", autosize);
  $("reply-cancel").addEventListener("click", () => {
    clearReply();
    $("text").focus();
  });
  $("attach").addEventListener("click", () => $("file").click());
  $("file").addEventListener("change", () => {
    if ($("file").files.length) setFile($("file").files[0]);
  });
  $("file-cancel").addEventListener("click", () => {
    clearFile();
    $("text").focus();
  });
}

// --- the command menu (setMyCommands) --------------------------------------------------------

function setCommands(commands) {
  state.commands = commands;
  $("menu-button").disabled = !commands.length;
  if (!commands.length) closeMenu();
  renderMenu();
}

function renderMenu() {
  const menu = $("menu");
  menu.replaceChildren(
    ...state.commands.map((command) =>
      el(
        "button",
        {
          type: "button",
          role: "menuitem",
          class: "menu-item",
          tabindex: "-1",
          onclick: () => {
            closeMenu();
            sendText(`/${command.command}`);
          },
        },
        el("span", { class: "menu-command", text: `/${command.command}` }),
        el("span", { class: "menu-description", text: command.description }),
      ),
    ),
  );
}

function openMenu() {
  if (!state.commands.length) return;
  $("menu").hidden = false;
  $("menu-button").setAttribute("aria-expanded", "true");
  const first = $("menu").querySelector('[role="menuitem"]');
  if (first) first.focus();
}

function closeMenu({ focus = false } = {}) {
  if ($("menu").hidden) return;
  $("menu").hidden = true;
  $("menu-button").setAttribute("aria-expanded", "false");
  if (focus) $("menu-button").focus();
}

function wireMenu() {
  $("menu-button").addEventListener("click", () => {
    if ($("menu").hidden) openMenu();
    else closeMenu();
  });
  $("menu").addEventListener("keydown", (event) => {
    const items = [...$("menu").querySelectorAll('[role="menuitem"]')];
    const current = items.indexOf(document.activeElement);
    let next = null;
    if (event.key === "ArrowDown") next = (current + 1) % items.length;
    else if (event.key === "ArrowUp") next = (current - 1 + items.length) % items.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = items.length - 1;
    else if (event.key === "Escape" || event.key === "Tab") {
      if (event.key === "Escape") event.preventDefault();
      closeMenu({ focus: event.key === "Escape" });
      return;
    }
    if (next != null) {
      event.preventDefault();
      items[next].focus();
    }
  });
  document.addEventListener("mousedown", (event) => {
    if (!event.target.closest(".menu-wrap")) closeMenu();
  });
}

// --- the reply keyboard ----------------------------------------------------------------------

function setKeyboard(keyboard) {
  state.keyboard = keyboard;
  const box = $("reply-keyboard");
  box.replaceChildren();
  if (!keyboard || !keyboard.keyboard || !keyboard.keyboard.length) {
    box.hidden = true;
    return;
  }
  for (const row of keyboard.keyboard) {
    const line = el("div", { class: "row" });
    for (const key of row) {
      const label = typeof key === "string" ? key : key.text;
      line.append(
        el("button", {
          type: "button",
          class: "key",
          text: label,
          onclick: () => pressReplyKey(key, label),
        }),
      );
    }
    box.append(line);
  }
  box.hidden = false;
}

async function pressReplyKey(key, label) {
  const person = state.person;
  if (state.keyboard && state.keyboard.one_time_keyboard) $("reply-keyboard").hidden = true;
  try {
    if (key && key.request_contact) {
      const answer = await api(`/api/contact/${person.user_id}`, { method: "POST" });
      if (answer.message && state.person === person) upsertMessage(answer.message);
    } else {
      await sendText(label);
    }
  } catch (error) {
    $("reply-keyboard").hidden = false;
    showError(error);
  }
}

// --- «Ngày hôm sau» --------------------------------------------------------------------------

async function nextDay() {
  const button = $("next-day");
  button.disabled = true;
  try {
    const answer = await api("/api/next-day", { method: "POST" });
    if (answer.today && answer.today !== state.today) {
      setToday(answer.today);
      if (state.person) appendNote(t("newDay", { date: formatDay(answer.today) }), "day");
    }
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
}

// --- start -----------------------------------------------------------------------------------

async function start() {
  wireChooser();
  wireComposer();
  wireMenu();
  wireLog();
  $("next-day").addEventListener("click", nextDay);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("toast").hidden) $("toast").hidden = true;
  });
  applyLanguage();
  let people;
  try {
    people = await api("/api/people");
  } catch (error) {
    showError(error);
    return;
  }
  state.people = people.groups || [];
  state.bot = people.bot || state.bot;
  $("bot-name").textContent = state.bot.name || "";
  setToday(people.today);
  applyLanguage();
  const chosen = /^#u=(\d+)$/.exec(location.hash);
  const person = chosen ? findPerson(Number(chosen[1])) : null;
  if (person) await choosePerson(person, { updateUrl: false });
}

window.addEventListener("pagehide", disconnect);
start();
