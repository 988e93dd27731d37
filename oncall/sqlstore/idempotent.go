package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
)

// A write whose commit's answer was lost (the primary died between COMMIT
// and its reply) may or may not have landed. A dialect may run it again
// only when running it twice cannot post twice: such writes carry a
// client-drawn id under a unique index, and say so through their context.

type idempotentKey struct{}

// Idempotent marks ctx's write as safe to run again after an ambiguous
// commit.
func Idempotent(ctx context.Context) context.Context {
	return context.WithValue(ctx, idempotentKey{}, true)
}

// IsIdempotent reports whether the write of ctx was marked Idempotent.
func IsIdempotent(ctx context.Context) bool {
	v, _ := ctx.Value(idempotentKey{}).(bool)
	return v
}

// newClientID draws 128 random bits.
func newClientID() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand's contract since Go 1.24)
	return hex.EncodeToString(b)
}
