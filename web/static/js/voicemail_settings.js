// The campaign's voicemail message on its settings page: record it here or upload a file, play it back,
// remove it; and the text read aloud when there is no recording.
//
// Twilio plays WAV and MP3 on a call but not WebM or Ogg, which is what a browser's MediaRecorder makes, so
// a recording made here is turned into a WAV (8 kHz mono, telephone quality) in the page before upload.
import { api, pageData, show } from "./api.js";

const data = pageData();
const $ = (id) => document.getElementById(id);
const campaignId = data.campaign.id;
const audioUrl = `/api/campaigns/${encodeURIComponent(campaignId)}/voicemail/audio`;
const RATE = 8000;
const MAX_SECONDS = 120;

function say(ok, error) {
  $("vm-ok").textContent = ok || "";
  $("vm-error").textContent = error || "";
  show($("vm-error"), Boolean(error));
}

function drawAudio(audio) {
  show($("vm-current"), Boolean(audio));
  show($("vm-none"), !audio);
  const player = $("vm-player");
  if (!audio) {
    player.removeAttribute("src");
    player.load();
    return;
  }
  const length = audio.seconds ? ` of ${Math.round(audio.seconds)} seconds` : "";
  $("vm-summary").textContent = `Recording${length}, ${Math.round(audio.bytes / 1024)} KB`;
  player.src = `${audioUrl}?v=${encodeURIComponent(audio.id)}`; // a new recording is never a cached one
}

async function upload(body, contentType) {
  say("Uploading…");
  try {
    const audio = await api("PUT", audioUrl, body, { contentType: contentType || "application/octet-stream" });
    drawAudio(audio);
    say("Saved: machines now hear this recording.");
  } catch (err) {
    say("", err.message);
  }
}

// 16-bit PCM WAV of mono samples in [-1, 1].
function encodeWav(samples, rate) {
  const view = new DataView(new ArrayBuffer(44 + samples.length * 2));
  const text = (at, s) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => {
    const v = Math.max(-1, Math.min(1, s));
    view.setInt16(44 + i * 2, v < 0 ? v * 0x8000 : v * 0x7fff, true);
  });
  return new Blob([view.buffer], { type: "audio/wav" });
}

async function toWav(blob) {
  const context = new AudioContext();
  const decoded = await context.decodeAudioData(await blob.arrayBuffer());
  await context.close();
  const offline = new OfflineAudioContext(1, Math.max(1, Math.ceil(decoded.duration * RATE)), RATE);
  const source = offline.createBufferSource();
  source.buffer = decoded;
  source.connect(offline.destination);
  source.start();
  const rendered = await offline.startRendering();
  return encodeWav(rendered.getChannelData(0), RATE);
}

let recorder = null;
let stopTimer = null;

async function record() {
  say("");
  if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === "undefined") {
    say("", "This browser cannot record here; upload a WAV or MP3 file instead.");
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (err) {
    say("", "The microphone is not available (allow it for this site, or upload a file instead).");
    return;
  }
  const chunks = [];
  recorder = new MediaRecorder(stream);
  const startedAt = Date.now();
  recorder.addEventListener("dataavailable", (event) => {
    chunks.push(event.data);
    if (recorder?.state === "recording") {
      say(`Recording… ${Math.floor((Date.now() - startedAt) / 1000)} s. Press Stop and save when you are done.`);
    }
  });
  recorder.addEventListener("stop", async () => {
    clearTimeout(stopTimer);
    for (const track of stream.getTracks()) track.stop();
    show($("vm-stop"), false);
    show($("vm-record"), true);
    recorder = null;
    try {
      await upload(await toWav(new Blob(chunks, { type: chunks[0]?.type || "audio/webm" })), "audio/wav");
    } catch (err) {
      say("", "The recording could not be converted; try again, or upload a file instead.");
    }
  });
  recorder.start(500); // a piece every half second: the page shows how long it has been recording
  stopTimer = setTimeout(() => recorder?.stop(), MAX_SECONDS * 1000);
  show($("vm-record"), false);
  show($("vm-stop"), true);
  $("vm-stop").focus();
  say("Recording… 0 s. Press Stop and save when you are done.");
}

$("vm-record").addEventListener("click", record);
$("vm-stop").addEventListener("click", () => recorder?.stop());

$("vm-upload").addEventListener("click", () => {
  const file = $("vm-file").files[0];
  if (!file) {
    say("", "Choose a WAV or MP3 file first.");
    return;
  }
  upload(file, file.type);
});

$("vm-remove").addEventListener("click", async () => {
  try {
    await api("DELETE", audioUrl);
    drawAudio(null);
    say($("vm-text").value.trim() ? "Removed: machines now hear the text read aloud." : "Removed.");
  } catch (err) {
    say("", err.message);
  }
});

$("vm-text-save").addEventListener("click", async () => {
  const text = $("vm-text").value.trim();
  try {
    await api("PATCH", `/api/campaigns/${encodeURIComponent(campaignId)}`, { voicemail_message: text || null });
    say("Text saved.");
  } catch (err) {
    say("", err.message);
  }
});
