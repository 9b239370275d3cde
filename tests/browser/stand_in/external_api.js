/* A stand-in for Jitsi's external_api.js (the real one cannot be fetched in tests).
 * It records every constructor call on window.__jitsi, puts an <iframe> in parentNode, and
 * behaves like the IFrame API for the events Ieum listens to: videoConferenceJoined shortly
 * after creation, videoConferenceLeft on executeCommand('hangup'). */
(function () {
  'use strict';
  window.__jitsi = {calls: [], commands: [], disposed: 0};
  window.JitsiMeetExternalAPI = function (domain, options) {
    var self = this;
    var recorded = {};
    Object.keys(options).forEach(function (key) { if (key !== 'parentNode') { recorded[key] = options[key]; } });
    window.__jitsi.calls.push({
      domain: domain,
      options: JSON.parse(JSON.stringify(recorded)),
      parentNodeId: options.parentNode ? options.parentNode.id : null
    });
    var iframe = document.createElement('iframe');
    iframe.id = 'jitsiConferenceFrame0';
    iframe.title = 'Jitsi Meet';
    iframe.src = 'about:blank';
    iframe.setAttribute('allow', 'camera; microphone; fullscreen; display-capture');
    options.parentNode.appendChild(iframe);
    var listeners = {};
    function emit(name, data) { (listeners[name] || []).forEach(function (fn) { fn(data); }); }
    this.addListener = function (name, fn) { (listeners[name] = listeners[name] || []).push(fn); };
    this.executeCommand = function (name) {
      window.__jitsi.commands.push(name);
      if (name === 'hangup') { emit('videoConferenceLeft', {roomName: options.roomName}); }
    };
    this.dispose = function () { window.__jitsi.disposed += 1; iframe.remove(); };
    // For the tests: the connection drops (Jitsi ends the conference on its own), Jitsi
    // reconnects under a new participant id, or a fatal error happens.
    window.__jitsi.drop = function () { emit('videoConferenceLeft', {roomName: options.roomName}); };
    window.__jitsi.rejoin = function (id) { emit('videoConferenceJoined', {id: id, roomName: options.roomName}); };
    window.__jitsi.fatal = function (name) { emit('errorOccurred', {error: {name: name, isFatal: true}}); };
    window.setTimeout(function () {
      emit('videoConferenceJoined', {id: 'standin1', roomName: options.roomName,
                                     displayName: options.userInfo && options.userInfo.displayName});
    }, 50);
  };
})();
