// The web chat: plain DOM, no libraries. Everything shown is set with textContent, so
// nothing a user or the content writes can inject markup or script.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("ask");
  var input = document.getElementById("text");
  var session = sessionStorage.getItem("helpline-session");

  function add(kind, text) {
    var div = document.createElement("div");
    div.className = "msg " + kind;
    div.textContent = text;
    log.appendChild(div);
    div.scrollIntoView({block: "end"});
    return div;
  }

  function addButtons(buttons) {
    if (!buttons || !buttons.length) return;
    var box = document.createElement("div");
    box.className = "buttons";
    box.setAttribute("role", "group");
    buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.addEventListener("click", function () {
        add("user", b.title);
        send({payload: b.payload});
      });
      box.appendChild(button);
    });
    log.appendChild(box);
  }

  function addDocument(doc) {
    var bytes = Uint8Array.from(atob(doc.base64), function (c) { return c.charCodeAt(0); });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([bytes], {type: doc.media_type}));
    link.download = doc.filename;
    link.textContent = "⬇ " + doc.filename;
    link.className = "msg bot document";
    log.appendChild(link);
  }

  var polling = null;

  function show(reply) {
    (reply.messages || []).forEach(function (m) {
      if (m.text) add("bot", m.text);
      if (m.document) addDocument(m.document);
      addButtons(m.buttons);
    });
    // While a person holds the conversation, ask every 3 s for what they wrote.
    if (reply.case && !polling) {
      polling = setInterval(poll, 3000);
    } else if (!reply.case && polling) {
      clearInterval(polling);
      polling = null;
    }
  }

  function poll() {
    if (!session) return;
    fetch("/api/chat/updates?session_id=" + encodeURIComponent(session))
      .then(function (r) { return r.json(); }).then(show).catch(function () {});
  }

  function send(body) {
    if (session) body.session_id = session;
    return fetch("/api/chat", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body)
    }).then(function (r) { return r.json(); }).then(function (reply) {
      if (reply.session_id) {
        session = reply.session_id;
        sessionStorage.setItem("helpline-session", session);
      }
      show(reply);
    }).catch(function () {
      add("bot", "Нет связи. Попробуйте ещё раз. / Aloqa yoʻq. Qayta urinib koʻring. / 112");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    add("user", text);
    input.value = "";
    send({text: text});
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  document.getElementById("leave").addEventListener("click", function () {
    if (polling) clearInterval(polling);
    sessionStorage.clear();
    log.textContent = "";
    input.value = "";
    location.replace("about:blank");
  });

  send({payload: "/greet"});
  if (session) poll();   // a reload while a person holds the conversation
}());

