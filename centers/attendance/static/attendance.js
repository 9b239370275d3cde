/* The tablet attendance form: taps only.

   Status: four big buttons. Headcount: − and +, never below the ticked members (guests may
   make it larger), never above the center's capacity. Members: name cards; "everyone who
   usually comes" ticks the regulars. Saving puts the submission in the outbox (IndexedDB,
   outbox.js) with a new client_ref and the (corrected) time of recording; the outbox sends it
   now or when the network returns, and the box under the form says "저장됨" or
   "전송 대기 중". */
(function () {
  "use strict";
  var form = document.getElementById("attendance-form");
  var box = window.IeumOutbox;
  if (!form || !box) return;

  var d = form.dataset;
  var key = d.key;
  var input = document.getElementById("headcount");
  var stateEl = document.getElementById("save-state");
  var hint = document.getElementById("headcount-hint");
  var countEl = document.getElementById("members-count");
  var saveButton = document.getElementById("save-button");
  var notStarted = document.getElementById("not-started");
  var max = parseInt(d.max, 10) || 500;
  var pageVersion = parseInt(d.recordVersion, 10) || 0;
  var readonly = form.hasAttribute("data-readonly");

  // Taps only: the number is shown and changed with − and +, never typed.
  input.readOnly = true;
  input.setAttribute("inputmode", "none");

  function boxes() { return Array.prototype.slice.call(form.querySelectorAll('input[name="member_ids"]')); }
  function ticked() { return boxes().filter(function (b) { return b.checked; }).length; }
  function headcount() { return parseInt(input.value, 10) || 0; }
  var lastTicked = ticked();

  function showCount() {
    if (countEl) countEl.textContent = "(" + d.msgSelected.replace("{n}", String(ticked())) + ")";
  }

  function setHeadcount(n, message) {
    input.value = String(Math.max(ticked(), Math.min(max, n)));
    hint.textContent = message || "";
  }

  // Headcount follows the ticked members while it equals their number; it never drops below.
  function membersChanged() {
    var now = ticked();
    if (headcount() === lastTicked) setHeadcount(now);
    else setHeadcount(Math.max(headcount(), now));
    lastTicked = now;
    showCount();
  }

  form.querySelectorAll(".t-step").forEach(function (button) {
    button.addEventListener("click", function () {
      var next = headcount() + parseInt(button.dataset.step, 10);
      if (next < ticked()) return setHeadcount(ticked(), d.msgMin);
      if (next > max) return setHeadcount(max, d.msgMax);
      setHeadcount(next);
    });
  });
  boxes().forEach(function (b) { b.addEventListener("change", membersChanged); });

  var regulars = document.getElementById("mark-regulars");
  if (regulars) regulars.addEventListener("click", function () {
    boxes().forEach(function (b) { if (b.hasAttribute("data-regular")) b.checked = true; });
    membersChanged();
  });
  var clear = document.getElementById("clear-members");
  if (clear) clear.addEventListener("click", function () {
    boxes().forEach(function (b) { b.checked = false; });
    membersChanged();
  });

  // --- the session's start ------------------------------------------------------------

  var startsAt = Date.parse(d.startsAt);
  function checkStarted() {
    var started = !startsAt || box.now() >= startsAt;
    if (saveButton) saveButton.disabled = !started;
    if (notStarted) notStarted.hidden = started;
    return started;
  }
  if (!checkStarted()) {
    var timer = setInterval(function () { if (checkStarted()) clearInterval(timer); }, 10000);
  }

  // --- showing what is saved ----------------------------------------------------------

  function statusLabel(code) {
    var label = form.querySelector('label[for="status-' + code + '"] .t-choice__label');
    return label ? label.textContent.trim() : code;
  }

  function fill(values) {
    form.querySelectorAll('input[name="status"]').forEach(function (radio) {
      radio.checked = radio.value === values.status;
    });
    var ids = (values.member_ids || []).map(String);
    boxes().forEach(function (b) { b.checked = ids.indexOf(b.value) !== -1; });
    lastTicked = ticked();
    input.value = String(values.headcount == null ? lastTicked : values.headcount);
    showCount();
  }

  function show(state, title, detail) {
    stateEl.dataset.state = state;
    stateEl.textContent = "";
    var strong = document.createElement("strong");
    strong.className = "t-save__title";
    strong.textContent = title;
    stateEl.appendChild(strong);
    if (detail) {
      var span = document.createElement("span");
      span.className = "t-save__detail";
      span.textContent = detail;
      stateEl.appendChild(span);
    }
  }

  function summary(values) {
    return statusLabel(values.status) + ", " + d.msgPeople.replace("{n}", String(values.headcount));
  }

  function timeOf(iso) {
    var t = new Date(iso);
    return isNaN(t) ? "" : t.toLocaleTimeString(document.documentElement.lang || "ko", {hour: "numeric", minute: "2-digit", timeZone: "Asia/Seoul"});
  }

  function render() {
    return box.status(key).then(function (st) {
      if (st.pending) {
        fill(st.pending.body);
        show("pending", d.msgPending, st.pending.error === "login" ? d.msgLogin : d.msgPendingDetail);
        return;
      }
      var last = st.last;
      if (!last) return;
      if (!last.ok && Date.now() - last.at < 24 * 3600 * 1000) {
        fill(last.body);
        show("failed", d.msgFailed, last.error);
        return;
      }
      if (last.ok && last.record && (last.record.version || 0) >= pageVersion) {
        var record = last.record;
        if (record.status && (record.version || 0) > pageVersion || last.at > loadedAt - 1) {
          fill(record);
          var detail = summary(record) + " · " + timeOf(record.recorded_at);
          if (last.result === "superseded") detail = d.msgSuperseded + " " + detail;
          show("saved", d.msgSaved, detail);
        }
      }
    });
  }

  // --- saving -------------------------------------------------------------------------

  function newRef() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var loadedAt = Date.now();
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (readonly || !checkStarted()) return;
    var chosen = form.querySelector('input[name="status"]:checked');
    if (!chosen) {
      show("none", d.msgNeedStatus);
      var first = form.querySelector('input[name="status"]');
      if (first) first.focus();
      return;
    }
    var body = {
      status: chosen.value,
      headcount: headcount(),
      member_ids: boxes().filter(function (b) { return b.checked; }).map(function (b) { return parseInt(b.value, 10); }),
      client_ref: newRef(),
      recorded_at: new Date(box.now()).toISOString()
    };
    if (saveButton) {
      saveButton.disabled = true;
      setTimeout(function () { checkStarted(); }, 800);
    }
    loadedAt = Date.now();
    show("pending", d.msgSending);
    box.queue({key: key, url: d.api, body: body}).then(render);
  });

  box.onChange(render);
  showCount();
  render();
})();
