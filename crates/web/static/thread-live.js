// Live thread updates (progressive enhancement): on the newest page of a thread, new messages are
// appended as they are posted, and messages edited meanwhile are replaced, through Server-Sent
// Events. Without JavaScript, or without
// EventSource, the page works as before (reload to see new messages).
(function () {
  "use strict";
  var list = document.getElementById("messages");
  if (!list || !list.dataset.live || !("EventSource" in window)) return;
  var status = document.getElementById("live-status");
  var url = list.dataset.live;
  if (list.dataset.after) url += "?after=" + encodeURIComponent(list.dataset.after);
  // The browser reconnects by itself, sending the id of the last message it received.
  var source = new EventSource(url);
  source.addEventListener("message", function (event) {
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (document.getElementById("m-" + data.id)) return;
    var template = document.createElement("template");
    template.innerHTML = data.html.trim();
    var item = template.content.firstElementChild;
    if (!item) return;
    item.classList.add("message-new");
    list.appendChild(item);
    if (status) status.textContent = data.announce;
  });
  source.addEventListener("edit", function (event) {
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    var old = document.getElementById("m-" + data.id);
    if (!old) return;
    var template = document.createElement("template");
    template.innerHTML = data.html.trim();
    var item = template.content.firstElementChild;
    if (!item) return;
    // The fragment is the message's whole list item, as the page renders it.
    (old.closest("li") || old).replaceWith(item);
    if (status) status.textContent = data.announce;
  });
})();
