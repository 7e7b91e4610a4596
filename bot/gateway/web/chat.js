// The web chat: plain DOM, no libraries. Everything shown is set with textContent (links are
// <a> elements built with the DOM), so nothing a user or the content writes can inject markup
// or script. The conversation is kept in this tab's sessionStorage only, so a reload keeps it
// and closing the tab or "Leave quickly" wipes it.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("ask");
  var input = document.getElementById("text");
  var sendButton = document.getElementById("send");
  var leave = document.getElementById("leave");
  var label = document.querySelector("label[for=text]");
  var TIMEOUT_MS = 20000;
  var session = sessionStorage.getItem("helpline-session");
  // A tab left alone for an hour (or reopened from the browser's history) starts afresh.
  var IDLE_MS = 60 * 60 * 1000;
  var idle = Date.now() - Number(sessionStorage.getItem("helpline-seen") || 0) > IDLE_MS;
  if (idle) sessionStorage.removeItem("helpline-log");
  var kept = JSON.parse(sessionStorage.getItem("helpline-log") || "[]");
  var lang = sessionStorage.getItem("helpline-lang") || "ru";

  // Interface labels. Russian and English are reviewed; Uzbek, Tajik, Kyrgyz and Kazakh are
  // DRAFTS to be reviewed by native speakers before they are relied on.
  var LABELS = {
    ru: {quick: "Выйти быстро", conversation: "Разговор", question: "Ваш вопрос", placeholder: "Напишите вопрос…", send: "Отправить",
         leave: "Выйти быстро: очистить страницу", retry: "Повторить", offline: "Нет интернета. Текст сохранён — нажмите «Повторить», когда связь вернётся. Экстренно: 112",
         failed: "Не удалось отправить. Текст сохранён — нажмите «Повторить». Экстренно: 112", unsent: "не отправлено"},
    en: {quick: "Leave quickly", conversation: "Conversation", question: "Your question", placeholder: "Write your question…", send: "Send",
         leave: "Leave quickly: clear this page", retry: "Retry", offline: "No internet. Your text is kept — press Retry when you are back online. Emergency: 112",
         failed: "Could not send. Your text is kept — press Retry. Emergency: 112", unsent: "not sent"},
    uz: {quick: "Tez chiqish", conversation: "Suhbat", question: "Savolingiz", placeholder: "Savolingizni yozing…", send: "Yuborish",
         leave: "Tez chiqish: sahifani tozalash", retry: "Qayta urinish", offline: "Internet yoʻq. Matn saqlandi — aloqa tiklanganda «Qayta urinish»ni bosing. Favqulodda: 112",
         failed: "Yuborib boʻlmadi. Matn saqlandi — «Qayta urinish»ni bosing. Favqulodda: 112", unsent: "yuborilmadi"},
    tg: {quick: "Зуд баромадан", conversation: "Суҳбат", question: "Саволи шумо", placeholder: "Саволатонро нависед…", send: "Фиристодан",
         leave: "Зуд баромадан: тоза кардани саҳифа", retry: "Боз кӯшиш", offline: "Интернет нест. Матн нигоҳ дошта шуд — вақте ки алоқа барқарор шуд, «Боз кӯшиш»-ро пахш кунед. Фавқулода: 112",
         failed: "Фиристода нашуд. Матн нигоҳ дошта шуд — «Боз кӯшиш»-ро пахш кунед. Фавқулода: 112", unsent: "фиристода нашуд"},
    uz_Cyrl: {quick: "Тез чиқиш", conversation: "Суҳбат", question: "Саволингиз", placeholder: "Саволингизни ёзинг…", send: "Юбориш",
         leave: "Тез чиқиш: саҳифани тозалаш", retry: "Қайта уриниш", offline: "Интернет йўқ. Матн сақланди — алоқа тикланганда «Қайта уриниш»ни босинг. Фавқулодда: 112",
         failed: "Юбориб бўлмади. Матн сақланди — «Қайта уриниш»ни босинг. Фавқулодда: 112", unsent: "юборилмади"},
    ky: {quick: "Тез чыгуу", conversation: "Маек", question: "Сурооңуз", placeholder: "Сурооңузду жазыңыз…", send: "Жөнөтүү",
         leave: "Тез чыгуу: баракты тазалоо", retry: "Кайра аракет", offline: "Интернет жок. Текст сакталды — байланыш калыбына келгенде «Кайра аракет» басыңыз. Шашылыш: 112",
         failed: "Жөнөтүлгөн жок. Текст сакталды — «Кайра аракет» басыңыз. Шашылыш: 112", unsent: "жөнөтүлгөн жок"},
    kk: {quick: "Тез шығу", conversation: "Әңгіме", question: "Сұрағыңыз", placeholder: "Сұрағыңызды жазыңыз…", send: "Жіберу",
         leave: "Тез шығу: бетті тазалау", retry: "Қайталау", offline: "Интернет жоқ. Мәтін сақталды — байланыс қалпына келгенде «Қайталау» басыңыз. Шұғыл: 112",
         failed: "Жіберілмеді. Мәтін сақталды — «Қайталау» басыңыз. Шұғыл: 112", unsent: "жіберілмеді"}
  };

  function tag() { return lang.replace("_", "-"); }     // uz_Cyrl → uz-Cyrl (BCP 47)

  function t(key) { return (LABELS[lang] || LABELS.ru)[key]; }

  function setLanguage(code, store) {
    if (!LABELS[code]) return;
    lang = code;
    if (store !== false) sessionStorage.setItem("helpline-lang", code);
    document.documentElement.lang = tag();
    log.setAttribute("aria-label", t("conversation"));
    label.textContent = t("question");
    input.placeholder = t("placeholder");
    sendButton.setAttribute("aria-label", t("send"));
    leave.setAttribute("aria-label", t("leave"));
    // The button's words in the chosen language (the page opens with Russian and Uzbek on it).
    if (store !== false || sessionStorage.getItem("helpline-lang")) leave.textContent = "✕ " + t("quick");
  }

  // The conversation's language, from a button's payload such as /choose_language{"language":"tg"}.
  function languageOf(payload) {
    var found = /"language":"([a-z]{2}(?:_[A-Z][a-z]{3})?)"/.exec(payload || "");
    return found ? found[1] : null;
  }

  function remember(entry) {
    kept.push(entry);
    if (kept.length > 200) kept = kept.slice(-200);
    try {
      sessionStorage.setItem("helpline-log", JSON.stringify(kept));
      sessionStorage.setItem("helpline-seen", String(Date.now()));
    } catch (e) { /* full: keep going */ }
  }

  // Links: http(s) addresses, bare domains (онлайнинспекция.рф), emergency numbers and phone numbers.
  var LINKS = new RegExp(
    "(https?:\\/\\/[^\\s<>\"«»]+)" +
    "|((?:[\\p{L}\\p{N}-]+\\.)+(?:рф|рус|ru|uz|tj|kg|kz|su|org|com|net|info|gov)(?:\\/[^\\s<>\"«»]*)?)(?![\\p{L}\\p{N}])" +
    "|((?:\\+\\d|\\b8)[\\d\\s()‐-]{8,16}\\d)" +
    "|(\\b(?:10[1-4]|112)\\b)", "gu");

  function anchor(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    if (href.indexOf("tel:") !== 0) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
    return a;
  }

  function linkFor(match) {
    var text = match[0].replace(/[.,;:!?)]+$/, "");
    var digits = text.replace(/[^\d+]/g, "");
    if (match[4] || (match[3] && digits.replace("+", "").length >= 10)) return [anchor("tel:" + digits, text), text];
    if (match[3]) return [document.createTextNode(text), text];
    try {
      var url = new URL(match[1] ? text : "https:" + "//" + text);
      if (url.protocol === "https:" || url.protocol === "http:") return [anchor(url.href, text), text];
    } catch (e) { /* not an address: plain text */ }
    return [document.createTextNode(text), text];
  }

  function fill(element, text) {
    var at = 0, match;
    LINKS.lastIndex = 0;
    while ((match = LINKS.exec(text)) !== null) {
      element.appendChild(document.createTextNode(text.slice(at, match.index)));
      var made = linkFor(match);
      element.appendChild(made[0]);
      at = match.index + made[1].length;
      LINKS.lastIndex = at;
    }
    element.appendChild(document.createTextNode(text.slice(at)));
  }

  function add(kind, text, keep) {
    var div = document.createElement("div");
    div.className = "msg " + kind;
    div.lang = tag();
    if (kind === "user") div.textContent = text; else fill(div, text);
    log.appendChild(div);
    if (keep !== false) remember({kind: kind, text: text, lang: lang});
    return div;
  }

  function disable(box) {
    Array.prototype.forEach.call(box.querySelectorAll("button"), function (b) { b.disabled = true; });
  }

  function addButtons(buttons, keep) {
    if (!buttons || !buttons.length) return null;
    var box = document.createElement("div");
    box.className = "buttons";
    box.setAttribute("role", "group");
    box.lang = tag();
    buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.addEventListener("click", function () {
        disable(box);
        button.setAttribute("aria-pressed", "true");
        var chosen = languageOf(b.payload);
        if (chosen && /choose_language/.test(b.payload)) setLanguage(chosen);
        var mine = add("user", b.title);
        send({payload: b.payload}, {bubble: mine, group: box, moveFocus: true});
      });
      box.appendChild(button);
    });
    log.appendChild(box);
    if (keep !== false) remember({kind: "buttons", buttons: buttons, lang: lang});
    return box;
  }

  function addDocument(doc) {
    var bytes = Uint8Array.from(atob(doc.base64), function (c) { return c.charCodeAt(0); });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([bytes], {type: doc.media_type}));
    link.download = doc.filename;
    link.textContent = "⬇ " + doc.filename;
    link.className = "msg bot document";
    log.appendChild(link);
    return link;
  }

  // Show the start of a new reply: its first line at the top of the log when the reply is
  // taller than the log, else the whole reply down to its last button.
  function reveal(first, last, moveFocus) {
    if (!first) return;
    if (last.offsetTop + last.offsetHeight - first.offsetTop > log.clientHeight) {
      log.scrollTop = first.offsetTop - 8;      // #log is the offsetParent (position: relative)
    } else {
      log.scrollTop = log.scrollHeight;
    }
    if (moveFocus) {
      first.tabIndex = -1;
      first.focus({preventScroll: true});
    }
  }

  var polling = null;

  function show(reply, moveFocus) {
    var first = null, last = null;
    (reply.messages || []).forEach(function (m) {
      (m.buttons || []).forEach(function (b) {
        var code = languageOf(b.payload);
        if (code && !/choose_language/.test(b.payload)) setLanguage(code);
      });
      var made = [m.text && add("bot", m.text), m.document && addDocument(m.document),
                  addButtons(m.buttons)].filter(Boolean);
      if (made.length) {
        first = first || made[0];
        last = made[made.length - 1];
      }
    });
    reveal(first, last, moveFocus);
    // While a person holds the conversation, ask every 3 s for what they wrote (not while hidden).
    if (reply.case && !polling) {
      polling = setInterval(poll, 3000);
    } else if (!reply.case && polling) {
      clearInterval(polling);
      polling = null;
    }
  }

  function poll() {
    if (!session || document.visibilityState === "hidden") return;
    request("/api/chat/updates?session_id=" + encodeURIComponent(session), {})
      .then(function (r) { return r.json(); }).then(function (reply) { show(reply, false); })
      .catch(function () {});
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && polling) poll();
  });

  function request(url, options) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    options.signal = controller.signal;
    return fetch(url, options).finally(function () { clearTimeout(timer); });
  }

  // A send that failed: the typed text back in the box, the message marked, and a Retry button.
  function failed(body, how, reply) {
    if (how.bubble) how.bubble.classList.add("unsent");
    if (how.bubble) how.bubble.setAttribute("aria-description", t("unsent"));
    if (body.text && !input.value) input.value = body.text;
    if (how.group) Array.prototype.forEach.call(how.group.querySelectorAll("button"),
      function (b) { b.disabled = false; b.removeAttribute("aria-pressed"); });
    var said = reply && reply.messages && reply.messages[0] && reply.messages[0].text;
    var note = add("bot", said || (navigator.onLine ? t("failed") : t("offline")), false);
    note.classList.add("error");
    note.setAttribute("role", "alert");
    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "retry";
    retry.textContent = t("retry");
    retry.addEventListener("click", function () {
      note.remove();
      if (how.bubble) how.bubble.classList.remove("unsent");
      if (how.group) disable(how.group);
      send(body, {bubble: how.bubble, group: how.group, moveFocus: true, retrying: true});
    });
    note.appendChild(document.createElement("br"));
    note.appendChild(retry);
    log.scrollTop = log.scrollHeight;
    if (how.moveFocus) retry.focus({preventScroll: true});
  }

  function send(body, how) {
    how = how || {};
    if (session) body.session_id = session;
    return request("/api/chat", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (reply) {
        if (!r.ok) throw reply;      // the server's words (in the user's language) and a Retry
        return reply;
      });
    }).then(function (reply) {
      if (reply.session_id) {
        session = reply.session_id;
        sessionStorage.setItem("helpline-session", session);
      }
      if (body.text && input.value === body.text) input.value = "";
      show(reply, Boolean(how.moveFocus));
    }).catch(function (reply) { failed(body, how, reply); });
  }

  function submit() {
    var text = input.value.trim();
    if (!text) return;
    var mine = add("user", text);
    log.scrollTop = log.scrollHeight;
    input.value = "";
    send({text: text}, {bubble: mine});
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      submit();
    }
  });
  leave.addEventListener("click", function () {
    if (polling) clearInterval(polling);
    sessionStorage.clear();
    kept = [];
    log.textContent = "";
    input.value = "";
    location.replace("about:blank");
  });

  setLanguage(lang, false);
  if (kept.length) {         // a reload: the conversation so far, only the last buttons usable
    var saved = lang, groups = [];
    kept.forEach(function (entry) {
      lang = entry.lang || saved;
      if (entry.kind === "buttons") groups.push(addButtons(entry.buttons, false));
      else add(entry.kind, entry.text, false);
    });
    lang = saved;
    groups.slice(0, -1).forEach(disable);
    log.scrollTop = log.scrollHeight;
    if (session) poll();     // what a person wrote while the page was away
  } else {
    send({payload: "/greet"});
  }
}());
