// Appended to config.js by docker-jitsi-meet's web container on every start (~/.jitsi-meet-cfg/web/).
// One JSON value per statement, so that tests can read it. Client flags can be overridden from a URL, so
// they are defence in depth: that nothing is recorded is guaranteed by the deployment (no Jibri).

// Nothing is recorded, streamed or transcribed.
config.recordingService = {"enabled": false, "sharingEnabled": false, "hideStorageWarning": true};
config.fileRecordingsEnabled = false;
config.fileRecordingsServiceEnabled = false;
config.liveStreamingEnabled = false;
config.liveStreaming = {"enabled": false};
config.transcription = {"enabled": false, "autoTranscribeOnRecord": false};
config.localRecording = {"disable": true, "notifyAllParticipants": true};

// No request to anybody else: no gravatar, analytics, GIFs, third-party scripts or invitations.
config.disableThirdPartyRequests = true;
config.gravatar = {"disabled": true};
config.analytics = {"disabled": true, "rtcstatsEnabled": false};
config.giphy = {"enabled": false};
config.disableInviteFunctions = true;
config.doNotStoreRoom = true;
config.disableDeepLinking = true;
config.enableFeaturesBasedOnToken = true;
config.callStatsID = "";
config.feedbackPercentage = 0;

// Straight into the call, under the name wsChat put into the token.
config.prejoinConfig = {"enabled": false};
config.readOnlyName = true;
config.hideConferenceSubject = true;

// Own STUN for the browsers' direct (P2P) mode; CHANGE to yours.
config.p2p = {"enabled": true, "stunServers": [{"urls": "stun:stun.example.com:3478"}]};

// The toolbar: no recording, live streaming, transcription, invite or feedback buttons.
config.toolbarButtons = ["camera", "chat", "desktop", "filmstrip", "fullscreen", "hangup", "microphone", "noisesuppression", "participants-pane", "raisehand", "select-background", "settings", "tileview", "toggle-camera"];
