package atrack

import (
	"context"
	"errors"
	"sync"
	"time"
)

const (
	maxBatchItems = 100
	// The service takes 512 KiB per /batch; a batch is sent before it gets near that.
	maxBatchBytes = 400 * 1024
)

// batcher queues writes in memory; Senders goroutines each gather up to BatchSize items
// (or what arrived within FlushInterval) and send them through /batch.
type batcher struct {
	c      *Client
	ctx    context.Context // deliveries; cancelled when Close runs out of time
	cancel context.CancelFunc
	queue  chan rawItem
	stop   chan struct{}
	wg     sync.WaitGroup

	mu       sync.Mutex
	pending  int           // enqueued, not yet delivered or given up
	idle     chan struct{} // closed while pending == 0
	kick     chan struct{} // closed by flush: send what is gathered now
	flushers int           // flush calls waiting: gather sends without waiting
	closed   bool
}

func startBatcher(c *Client) *batcher {
	ctx, cancel := context.WithCancel(context.Background())
	b := &batcher{
		c:      c,
		ctx:    ctx,
		cancel: cancel,
		queue:  make(chan rawItem, c.opts.MaxQueueSize),
		stop:   make(chan struct{}),
		idle:   make(chan struct{}),
		kick:   make(chan struct{}),
	}
	close(b.idle)
	for i := 0; i < c.opts.Senders; i++ {
		b.wg.Add(1)
		go b.run()
	}
	return b
}

func (b *batcher) enqueue(item BatchItem, uuid string) (*WriteResult, error) {
	raw, err := item.MarshalJSON()
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, ErrClosed
	}
	if b.pending == 0 {
		b.idle = make(chan struct{})
	}
	b.pending++
	b.mu.Unlock()
	select {
	case b.queue <- rawItem{item: item, raw: raw}:
		return &WriteResult{Success: true, UUID: uuid, Queued: true}, nil
	default:
		b.done(1)
		b.report(ErrQueueFull, item)
		return nil, ErrQueueFull
	}
}

func (b *batcher) done(n int) {
	b.mu.Lock()
	b.pending -= n
	if b.pending == 0 {
		close(b.idle)
	}
	b.mu.Unlock()
}

func (b *batcher) run() {
	defer b.wg.Done()
	for {
		var first rawItem
		select {
		case first = <-b.queue:
		case <-b.stop:
			return
		}
		batch := b.gather(first)
		b.deliver(batch)
		b.done(len(batch))
	}
}

// gather adds to first what arrives until the batch is full, FlushInterval passed, or a
// Flush (or Close) is waiting.
func (b *batcher) gather(first rawItem) []rawItem {
	batch, size := []rawItem{first}, len(first.raw)
	timer := time.NewTimer(b.c.opts.FlushInterval)
	defer timer.Stop()
	for len(batch) < b.c.opts.BatchSize && size < maxBatchBytes {
		select {
		case item := <-b.queue:
			batch, size = append(batch, item), size+len(item.raw)+1
			continue
		default:
		}
		// Read under the lock that flush takes: either this sees the flush waiting,
		// or it holds the kick channel that flush closes.
		b.mu.Lock()
		kick, urgent := b.kick, b.flushers > 0
		b.mu.Unlock()
		if urgent {
			return batch
		}
		select {
		case item := <-b.queue:
			batch, size = append(batch, item), size+len(item.raw)+1
		case <-timer.C:
			return batch
		case <-kick:
			return batch
		}
	}
	return batch
}

// deliver sends a batch with the client's retries; a 413 splits it, anything else
// refused goes to OnError per item.
func (b *batcher) deliver(batch []rawItem) {
	result, err := b.c.sendBatch(b.ctx, batch)
	var apiErr *Error
	if errors.As(err, &apiErr) && apiErr.Status == 413 && len(batch) > 1 {
		half := len(batch) / 2
		b.deliver(batch[:half])
		b.deliver(batch[half:])
		return
	}
	if err != nil {
		for _, it := range batch {
			b.report(err, it.item)
		}
		return
	}
	for i, r := range result.Results {
		if i < len(batch) && !r.Success && r.Error != nil {
			b.report(&Error{Status: 400, Code: r.Error.Code, Message: r.Error.Message, Fields: r.Error.Fields}, batch[i].item)
		}
	}
}

func (b *batcher) report(err error, item BatchItem) {
	if b.c.opts.OnError != nil {
		b.c.opts.OnError(err, item)
	}
}

// flush asks the senders to send what they hold and waits until the queue is empty.
func (b *batcher) flush(ctx context.Context) error {
	b.mu.Lock()
	b.flushers++
	close(b.kick)
	b.kick = make(chan struct{})
	idle := b.idle
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.flushers--
		b.mu.Unlock()
	}()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Pending is the number of writes queued and not yet sent (0 without batching).
func (c *Client) Pending() int {
	if c.batcher == nil {
		return 0
	}
	c.batcher.mu.Lock()
	defer c.batcher.mu.Unlock()
	return c.batcher.pending
}

// Flush sends every queued write now and waits until each was delivered or given up
// (OnError), or ctx ends. Without batching it returns at once.
func (c *Client) Flush(ctx context.Context) error {
	if c.batcher == nil {
		return nil
	}
	return c.batcher.flush(ctx)
}

// Close flushes the queue (waiting at most ShutdownTimeout), stops the batching
// goroutines and refuses later writes with ErrClosed. Call it before the process exits.
func (c *Client) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.ShutdownTimeout)
	defer cancel()
	return c.CloseContext(ctx)
}

// CloseContext is Close with a context bounding the wait.
func (c *Client) CloseContext(ctx context.Context) error {
	defer c.http.CloseIdleConnections()
	b := c.batcher
	if b == nil {
		return nil
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	err := b.flush(ctx)
	if err != nil {
		b.cancel() // in-flight deliveries give up and report their items
	}
	close(b.stop)
	b.wg.Wait()
	b.cancel()
	for {
		select {
		case it := <-b.queue:
			b.report(err, it.item)
			b.done(1)
		default:
			return err
		}
	}
}
