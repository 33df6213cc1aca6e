import { describe, expect, it } from 'vitest';
import {
  CloseCode,
  FrameDecoder,
  Opcode,
  WebSocketProtocolError,
  encodeClose,
  encodeFrame,
  validWebSocketKey,
  websocketAccept,
  type WebSocketEvent,
} from './websocket-frames.js';

const bytes = (...b: number[]): Buffer => Buffer.from(b);
/** RFC 6455 §5.7's masking key. */
const KEY = [0x37, 0xfa, 0x21, 0x3d];

function decodeAll(input: Buffer, decoder = new FrameDecoder()): WebSocketEvent[] {
  return decoder.push(input);
}

/** The same input one byte at a time: a frame split anywhere decodes the same. */
function decodeBytewise(input: Buffer): WebSocketEvent[] {
  const d = new FrameDecoder();
  const events: WebSocketEvent[] = [];
  for (const b of input) events.push(...d.push(bytes(b)));
  return events;
}

function protocolError(input: Buffer, decoder = new FrameDecoder()): { code: number; message: string } {
  try {
    decoder.push(input);
  } catch (err) {
    if (err instanceof WebSocketProtocolError) return { code: err.closeCode, message: err.message };
    throw err;
  }
  throw new Error('no protocol error');
}

describe('the opening handshake', () => {
  it('Sec-WebSocket-Accept of RFC 6455 §1.3', () => {
    expect(websocketAccept('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
  it('a key must be 16 bytes in base64', () => {
    expect([validWebSocketKey('dGhlIHNhbXBsZSBub25jZQ=='), validWebSocketKey('dGhlIHNhbXBsZQ=='), validWebSocketKey(undefined), validWebSocketKey('!!!!!!!!!!!!!!!!!!!!!!==')]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });
});

describe('FrameDecoder: client frames', () => {
  it('RFC 6455 §5.7: a masked text "Hello", whole and byte by byte', () => {
    const frame = bytes(0x81, 0x85, ...KEY, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
    const want = [{ type: 'message', binary: false, data: Buffer.from('Hello') }];
    expect(decodeAll(frame)).toEqual(want);
    expect(decodeBytewise(frame)).toEqual(want);
  });

  it('a fragmented masked text "Hel" + "lo" is one message', () => {
    const frames = bytes(0x01, 0x83, ...KEY, 0x7f, 0x9f, 0x4d, 0x80, 0x82, ...KEY, 0x5b, 0x95);
    expect(decodeAll(frames)).toEqual([{ type: 'message', binary: false, data: Buffer.from('Hello') }]);
  });

  it('a ping between two fragments is answered at once; the message completes after it', () => {
    const frames = bytes(0x02, 0x82, 0, 0, 0, 0, 0x00, 0x61, 0x89, 0x82, 0, 0, 0, 0, 0x68, 0x69, 0x80, 0x81, 0, 0, 0, 0, 0x62, 0x8a, 0x80, ...KEY);
    expect(decodeBytewise(frames)).toEqual([
      { type: 'ping', data: Buffer.from('hi') },
      { type: 'message', binary: true, data: bytes(0x00, 0x61, 0x62) },
      { type: 'pong', data: Buffer.alloc(0) },
    ]);
  });

  it('kubectl v5: stdin on channel 0, then the close signal [255, 0], then a normal close', () => {
    const frames = bytes(0x82, 0x84, 0, 0, 0, 0, 0x00, 0x61, 0x62, 0x0a, 0x82, 0x82, 0, 0, 0, 0, 0xff, 0x00, 0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8);
    expect(decodeAll(frames)).toEqual([
      { type: 'message', binary: true, data: bytes(0x00, 0x61, 0x62, 0x0a) },
      { type: 'message', binary: true, data: bytes(0xff, 0x00) },
      { type: 'close', code: 1000, reason: '' },
    ]);
  });

  it('a close with a reason, and an empty close', () => {
    expect(decodeAll(bytes(0x88, 0x84, 0, 0, 0, 0, 0x03, 0xe9, 0x62, 0x79, 0x88, 0x80, ...KEY))).toEqual([
      { type: 'close', code: 1001, reason: 'by' },
      { type: 'close', reason: '' },
    ]);
  });

  it('16-bit and 64-bit payload lengths', () => {
    const medium = Buffer.alloc(300, 7);
    const big = Buffer.alloc(70_000, 9);
    const input = Buffer.concat([bytes(0x82, 0xfe, 0x01, 0x2c, 0, 0, 0, 0), medium, bytes(0x82, 0xff, 0, 0, 0, 0, 0x00, 0x01, 0x11, 0x70, 0, 0, 0, 0), big]);
    expect(decodeAll(input)).toEqual([
      { type: 'message', binary: true, data: medium },
      { type: 'message', binary: true, data: big },
    ]);
  });

  it('malformed frames end the connection with the close code RFC 6455 names', () => {
    const cases: [string, Buffer, number, string][] = [
      ['unmasked', bytes(0x82, 0x01, 0x00), CloseCode.protocolError, 'a client frame must be masked'],
      ['RSV1', bytes(0xc2, 0x81, 0, 0, 0, 0, 0x00), CloseCode.protocolError, 'RSV bits set without a negotiated extension'],
      ['opcode 3', bytes(0x83, 0x80, 0, 0, 0, 0), CloseCode.protocolError, 'unknown opcode 3'],
      ['a fragmented ping', bytes(0x09, 0x80, 0, 0, 0, 0), CloseCode.protocolError, 'a control frame must be final and at most 125 bytes'],
      ['a ping of 126 bytes', bytes(0x89, 0xfe, 0x00, 0x7e), CloseCode.protocolError, 'a control frame must be final and at most 125 bytes'],
      ['a stray continuation', bytes(0x80, 0x80, 0, 0, 0, 0), CloseCode.protocolError, 'a continuation frame without a message to continue'],
      ['a new message inside a fragmented one', bytes(0x02, 0x80, 0, 0, 0, 0, 0x82, 0x80, 0, 0, 0, 0), CloseCode.protocolError, 'a new message before the last one ended'],
      ['a 16-bit length under 126', bytes(0x82, 0xfe, 0x00, 0x05), CloseCode.protocolError, 'payload length not in its minimal form'],
      ['a 64-bit length with the top bit', bytes(0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0), CloseCode.protocolError, 'payload length has its most significant bit set'],
      ['a close of one byte', bytes(0x88, 0x81, 0, 0, 0, 0, 0x03), CloseCode.protocolError, 'a close frame of one byte'],
      ['close code 1005', bytes(0x88, 0x82, 0, 0, 0, 0, 0x03, 0xed), CloseCode.protocolError, 'invalid close code 1005'],
      ['text that is not UTF-8', bytes(0x81, 0x82, 0, 0, 0, 0, 0xc3, 0x28), CloseCode.invalidPayload, 'a text message is not valid UTF-8'],
    ];
    for (const [what, input, code, message] of cases) expect([what, protocolError(input)]).toEqual([what, { code, message }]);
  });

  it('bounds: a frame over the frame bound is refused from its header; fragments over the message bound', () => {
    expect(protocolError(bytes(0x82, 0xfe, 0x01, 0x00), new FrameDecoder(255, 1000))).toEqual({ code: CloseCode.messageTooBig, message: 'frame of 256 bytes is over the bound of 255' });
    const fragment = (fin: boolean, opcode: number): Buffer => Buffer.concat([bytes((fin ? 0x80 : 0) | opcode, 0x80 | 100, 0, 0, 0, 0), Buffer.alloc(100)]);
    const d = new FrameDecoder(255, 250);
    expect(d.push(Buffer.concat([fragment(false, Opcode.binary), fragment(false, Opcode.continuation)]))).toEqual([]);
    expect(protocolError(fragment(true, Opcode.continuation), d)).toEqual({ code: CloseCode.messageTooBig, message: 'message over the bound of 250 bytes' });
  });
});

describe('server frames', () => {
  it('unmasked, with 7-, 16- and 64-bit lengths', () => {
    expect(encodeFrame(Opcode.binary, bytes(0x01, 0x68, 0x69))).toEqual(bytes(0x82, 0x03, 0x01, 0x68, 0x69));
    expect(encodeFrame(Opcode.pong, Buffer.from('Hello'))).toEqual(bytes(0x8a, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f));
    expect(encodeFrame(Opcode.binary, Buffer.alloc(256)).subarray(0, 4)).toEqual(bytes(0x82, 0x7e, 0x01, 0x00));
    expect(encodeFrame(Opcode.binary, Buffer.alloc(65536)).subarray(0, 10)).toEqual(bytes(0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0, 0));
    expect(encodeFrame(Opcode.text, Buffer.from('Hel'), false)).toEqual(bytes(0x01, 0x03, 0x48, 0x65, 0x6c));
  });

  it('close frames: a code, a reason, a reason cut to fit 125 bytes', () => {
    expect(encodeClose(CloseCode.normal)).toEqual(bytes(0x88, 0x02, 0x03, 0xe8));
    expect(encodeClose(CloseCode.protocolError, 'bad')).toEqual(bytes(0x88, 0x05, 0x03, 0xea, 0x62, 0x61, 0x64));
    const long = encodeClose(CloseCode.protocolError, 'x'.repeat(200));
    expect([long.length, long[1]]).toEqual([127, 125]);
  });
});
