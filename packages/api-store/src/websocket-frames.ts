// The server side of RFC 6455's framing, as much as pods/exec needs: the opening handshake's
// accept key, a bounded incremental decoder of the client's (masked) frames with fragmentation and
// control frames, and the server's (unmasked) frames. No extensions are negotiated, so every RSV
// bit must be clear. Anything malformed is a WebSocketProtocolError carrying the close code the
// connection must end with (RFC 6455 §7.4.1: 1002 protocol error, 1007 bad UTF-8, 1009 too big).
import { createHash } from 'node:crypto';

export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The largest payload one client frame may carry (gorilla, client-go's library, writes frames of about 33 KiB). */
export const MAX_FRAME_PAYLOAD_BYTES = 1024 * 1024;
/** The largest message (all fragments of one data frame) a client may send. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** RFC 6455 §5.5: a control frame's payload is at most 125 bytes and never fragmented. */
export const MAX_CONTROL_PAYLOAD_BYTES = 125;

export const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

const KNOWN_OPCODES = new Set<number>(Object.values(Opcode));

export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
} as const;

export type WebSocketEvent =
  | { type: 'message'; binary: boolean; data: Buffer }
  | { type: 'ping'; data: Buffer }
  | { type: 'pong'; data: Buffer }
  | { type: 'close'; code?: number; reason: string };

export class WebSocketProtocolError extends Error {
  constructor(
    readonly closeCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2). */
export function websocketAccept(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}

/** A Sec-WebSocket-Key must be the base64 of 16 bytes (RFC 6455 §4.1). */
export function validWebSocketKey(key: string | undefined): key is string {
  return key !== undefined && /^[A-Za-z0-9+/]{22}==$/.test(key) && Buffer.from(key, 'base64').length === 16;
}

/** RFC 6455 §7.4: the codes an endpoint may send in a close frame. */
function validCloseCode(code: number): boolean {
  if (code >= 3000 && code <= 4999) return true;
  return code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(data: Buffer, what: string): string {
  try {
    return utf8.decode(data);
  } catch {
    throw new WebSocketProtocolError(CloseCode.invalidPayload, `${what} is not valid UTF-8`);
  }
}

/**
 * Reads a client's byte stream into events. push() returns the events the new bytes complete and
 * throws a WebSocketProtocolError on the first violation; after that the decoder must not be used.
 * It never holds more than one frame's header and payload plus the message being reassembled.
 */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private fragmentBinary: boolean | undefined;

  constructor(
    private readonly maxFrameBytes = MAX_FRAME_PAYLOAD_BYTES,
    private readonly maxMessageBytes = MAX_MESSAGE_BYTES,
  ) {}

  push(chunk: Buffer): WebSocketEvent[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const events: WebSocketEvent[] = [];
    for (;;) {
      const frame = this.nextFrame();
      if (!frame) return events;
      const event = this.onFrame(frame.fin, frame.opcode, frame.payload);
      if (event) events.push(event);
    }
  }

  /** One whole frame off the front of the buffer (unmasked), or undefined until its bytes have come. */
  private nextFrame(): { fin: boolean; opcode: number; payload: Buffer } | undefined {
    const b = this.buffered;
    if (b.length < 2) return undefined;
    const fin = (b[0]! & 0x80) !== 0;
    if ((b[0]! & 0x70) !== 0) throw new WebSocketProtocolError(CloseCode.protocolError, 'RSV bits set without a negotiated extension');
    const opcode = b[0]! & 0x0f;
    const masked = (b[1]! & 0x80) !== 0;
    if (!masked) throw new WebSocketProtocolError(CloseCode.protocolError, 'a client frame must be masked');
    const control = opcode >= 0x8;
    if (!KNOWN_OPCODES.has(opcode)) {
      throw new WebSocketProtocolError(CloseCode.protocolError, `unknown opcode ${opcode}`);
    }
    let length = b[1]! & 0x7f;
    let offset = 2;
    if (control && (!fin || length > MAX_CONTROL_PAYLOAD_BYTES)) {
      throw new WebSocketProtocolError(CloseCode.protocolError, 'a control frame must be final and at most 125 bytes');
    }
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = b.readUInt16BE(2);
      if (length < 126) throw new WebSocketProtocolError(CloseCode.protocolError, 'payload length not in its minimal form');
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      const high = b.readUInt32BE(2);
      if (high & 0x80000000) throw new WebSocketProtocolError(CloseCode.protocolError, 'payload length has its most significant bit set');
      const big = high * 2 ** 32 + b.readUInt32BE(6);
      if (big < 65536) throw new WebSocketProtocolError(CloseCode.protocolError, 'payload length not in its minimal form');
      length = big;
      offset = 10;
    }
    if (length > this.maxFrameBytes) {
      throw new WebSocketProtocolError(CloseCode.messageTooBig, `frame of ${length} bytes is over the bound of ${this.maxFrameBytes}`);
    }
    if (b.length < offset + 4 + length) return undefined;
    const mask = b.subarray(offset, offset + 4);
    const payload = Buffer.from(b.subarray(offset + 4, offset + 4 + length));
    for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
    this.buffered = b.subarray(offset + 4 + length);
    return { fin, opcode, payload };
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): WebSocketEvent | undefined {
    switch (opcode) {
      case Opcode.ping:
        return { type: 'ping', data: payload };
      case Opcode.pong:
        return { type: 'pong', data: payload };
      case Opcode.close: {
        if (payload.length === 0) return { type: 'close', reason: '' };
        if (payload.length === 1) throw new WebSocketProtocolError(CloseCode.protocolError, 'a close frame of one byte');
        const code = payload.readUInt16BE(0);
        if (!validCloseCode(code)) throw new WebSocketProtocolError(CloseCode.protocolError, `invalid close code ${code}`);
        return { type: 'close', code, reason: decodeUtf8(payload.subarray(2), 'the close reason') };
      }
      case Opcode.continuation:
        if (this.fragmentBinary === undefined) throw new WebSocketProtocolError(CloseCode.protocolError, 'a continuation frame without a message to continue');
        break;
      default:
        if (this.fragmentBinary !== undefined) throw new WebSocketProtocolError(CloseCode.protocolError, 'a new message before the last one ended');
        this.fragmentBinary = opcode === Opcode.binary;
    }
    this.fragmentBytes += payload.length;
    if (this.fragmentBytes > this.maxMessageBytes) {
      throw new WebSocketProtocolError(CloseCode.messageTooBig, `message over the bound of ${this.maxMessageBytes} bytes`);
    }
    this.fragments.push(payload);
    if (!fin) return undefined;
    const binary = this.fragmentBinary!;
    const data = this.fragments.length === 1 ? this.fragments[0]! : Buffer.concat(this.fragments);
    this.fragments = [];
    this.fragmentBytes = 0;
    this.fragmentBinary = undefined;
    if (!binary) decodeUtf8(data, 'a text message');
    return { type: 'message', binary, data };
  }
}

/** One unmasked server frame (RFC 6455 §5.2). */
export function encodeFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.alloc(2) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = (fin ? 0x80 : 0) | opcode;
  if (n < 126) head[1] = n;
  else if (n < 65536) {
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else {
    head[1] = 127;
    head.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    head.writeUInt32BE(n >>> 0, 6);
  }
  return Buffer.concat([head, payload]);
}

/** A close frame with a code and a reason cut to fit a control frame. */
export function encodeClose(code: number, reason = ''): Buffer {
  let text = Buffer.from(reason, 'utf8');
  if (text.length > MAX_CONTROL_PAYLOAD_BYTES - 2) text = Buffer.from(text.subarray(0, MAX_CONTROL_PAYLOAD_BYTES - 2).toString('utf8').replace(/\uFFFD$/, ''), 'utf8');
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return encodeFrame(Opcode.close, payload);
}
