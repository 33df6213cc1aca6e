// Bounds on what crosses the wire. etcd refuses requests over 1.5 MiB; nats-server's default
// max_payload is 1 MiB, and kubemu runs nats-server with its defaults, so an event must fit in
// 1 MiB with room for headers. A larger object is refused at admission rather than stored.
export const MAX_OBJECT_EVENT_BYTES = 1024 * 1024 - 8 * 1024;
export const MAX_OBSERVATION_BYTES = 64 * 1024;
