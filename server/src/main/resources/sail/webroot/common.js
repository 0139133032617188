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

  /**
   * Reads a server-sent-events body (a ReadableStream of UTF-8 bytes) and calls `onData(data)` with
   * the data of each event, in order, however the bytes are split across reads. Stops when
   * `onData` returns `false` (resolves true) or at the end of the stream (resolves false).
   */
  async function readEvents(stream, onData) {
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const {value, done} = await reader.read();
      if (done) {
        return false;
      }
      // stream mode keeps a character whose bytes straddle two reads whole; CRLF is normalised on
      // the whole buffer, as its CR and LF may come in different reads
      buffer = (buffer + decoder.decode(value, {stream: true})).replace(/\r\n/g, '\n');
      // events end with a blank line; a partial event waits for the next read
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).replace(/^ /, ''))
          .join('\n');
        if (!data) {
          continue;
        }
        let more;
        try {
          more = onData(data);
        } catch (e) {
          reader.cancel();
          throw e;
        }
        if (more === false) {
          await reader.cancel();
          return true;
        }
      }
    }
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

  return {
    headers,
    errorMessage,
    request,
    getJson,
    getText,
    postJson,
    readEvents,
    bindKeyField,
    format,
  };
})();
