// Shared by the chat page and the dashboard: the optional API key and JSON requests that carry it.
// The key lives in localStorage so it survives reloads; when set, every request sends it as
// `Authorization: Bearer <key>`, which is what the server's API-key check reads.
'use strict';

const Sail = (() => {
  const KEY_STORAGE = 'sail.apiKey';

  function apiKey() {
    return localStorage.getItem(KEY_STORAGE) || '';
  }

  /** Request headers with the key added when one is set. */
  function headers(extra) {
    const out = Object.assign({}, extra);
    const key = apiKey();
    if (key) {
      out['Authorization'] = 'Bearer ' + key;
    }
    return out;
  }

  /** The message of an error answer (`{"error": {"message"}}`), or the HTTP status. */
  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body && body.error && body.error.message) {
        return `${body.error.message} (HTTP ${response.status})`;
      }
    } catch (ignored) {
      // not JSON: fall back to the status line
    }
    return `HTTP ${response.status} ${response.statusText}`;
  }

  async function request(method, path, body, signal) {
    const init = {method, headers: headers(body ? {'Content-Type': 'application/json'} : {}), signal};
    if (body) {
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (!response.ok) {
      throw new Error(await errorMessage(response));
    }
    return response;
  }

  async function getJson(path) {
    return (await request('GET', path)).json();
  }

  async function getText(path) {
    return (await request('GET', path)).text();
  }

  async function postJson(path, body) {
    return (await request('POST', path, body)).json();
  }

  /** Shows the stored key in `input` and stores what the user types (empty removes it). */
  function bindKeyField(input) {
    input.value = apiKey();
    input.addEventListener('change', () => {
      const key = input.value.trim();
      if (key) {
        localStorage.setItem(KEY_STORAGE, key);
      } else {
        localStorage.removeItem(KEY_STORAGE);
      }
    });
  }

  /** A number with `digits` decimals, or "—" for a value the server did not report. */
  function format(value, digits) {
    return value === null || value === undefined || !Number.isFinite(Number(value))
      ? '—'
      : Number(value).toFixed(digits);
  }

  return {headers, errorMessage, request, getJson, getText, postJson, bindKeyField, format};
})();
