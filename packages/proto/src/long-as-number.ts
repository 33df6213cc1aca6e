// int64 fields (timestamps, generations, revisions) decode as JS numbers rather than Long objects:
// every value kubemu stores fits in 2^53. Must be evaluated before the generated module.
import $protobuf from 'protobufjs/minimal.js';

$protobuf.util.Long = undefined as unknown as typeof $protobuf.util.Long;
$protobuf.configure();
