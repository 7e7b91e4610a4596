// Live updates on a case page: new messages every 3 s (plain DOM, textContent only).
(function () {
  "use strict";
  var list = document.getElementById("messages");
  if (!list) return;
  var id = list.getAttribute("data-case");
  function poll() {
    fetch("/console/cases/" + id + "/messages?after=" + list.getAttribute("data-after"),
          {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : {messages: []}; })
      .then(function (data) {
        (data.messages || []).forEach(function (m) {
          var li = document.createElement("li");
          li.className = m.sender;
          var who = document.createElement("span");
          who.className = "who";
          who.textContent = m.who;
          var body = document.createElement("div");
          body.className = "body";
          body.textContent = m.body;
          li.appendChild(who);
          li.appendChild(body);
          list.appendChild(li);
          list.setAttribute("data-after", m.id);
        });
        if (data.state) document.getElementById("state").textContent = data.state;
      }).catch(function () {});
  }
  setInterval(poll, 3000);
}());
