// Stand-in for webrtc-polyfill (package.json "overrides"): webtorrent's WebRTC comes from
// node-datachannel, whose install downloads a prebuilt binary from GitHub or clones libdatachannel
// to build it, and neither is reachable from this machine or CI. seedhost's tests need no WebRTC
// (webseed and TCP peers only), so this module exports no implementation: simple-peer then reports
// WEBRTC_SUPPORT = false and bittorrent-tracker skips ws:// trackers. See docs/clients.md.
export const RTCPeerConnection = undefined;
export const RTCSessionDescription = undefined;
export const RTCIceCandidate = undefined;
export default {};
