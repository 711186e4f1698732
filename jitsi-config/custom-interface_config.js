// Appended to interface_config.js by docker-jitsi-meet's web container on every start.
// One JSON value per statement, so that tests can read it.

interfaceConfig.SHOW_JITSI_WATERMARK = false;
interfaceConfig.SHOW_WATERMARK_FOR_GUESTS = false;
interfaceConfig.SHOW_BRAND_WATERMARK = false;
interfaceConfig.SHOW_POWERED_BY = false;
interfaceConfig.SHOW_PROMOTIONAL_CLOSE_PAGE = false;
interfaceConfig.MOBILE_APP_PROMO = false;
interfaceConfig.HIDE_INVITE_MORE_HEADER = true;
interfaceConfig.DISABLE_JOIN_LEAVE_NOTIFICATIONS = true;
interfaceConfig.JITSI_WATERMARK_LINK = "";
interfaceConfig.SUPPORT_URL = "";
interfaceConfig.TOOLBAR_BUTTONS = ["camera", "chat", "desktop", "filmstrip", "fullscreen", "hangup", "microphone", "noisesuppression", "participants-pane", "raisehand", "select-background", "settings", "tileview", "toggle-camera"];
