// The calendar feeds page: each "주소 복사" button copies its address (the button stays hidden
// without script; the address field can still be selected and copied by hand).
(function () {
  "use strict";

  function copyText(input) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value);
    }
    input.focus();
    input.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy"));
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!input || !status) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(input).then(
        function () { status.textContent = button.getAttribute("data-msg-copied"); },
        function () {
          input.focus();
          input.select();
          status.textContent = button.getAttribute("data-msg-failed");
        }
      );
    });
  });
})();
