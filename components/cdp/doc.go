// Package cdp holds the shapes that every CDP pipeline component shares:
// the [Message] that flows between them, and the [Source], [Processor] and
// [Consumer] interfaces.
//
// The shapes are CDP's, kept exactly, so that components written for CDP
// pipelines port without changes: a source pushes messages into the
// processors subscribed to it, each processor pushes its output into its own
// subscribers, and consumers are processors at the end of the chain that can
// also be closed, which flushes whatever they buffer.
package cdp
