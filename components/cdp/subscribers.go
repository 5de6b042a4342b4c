package cdp

import "context"

// Subscribers is the list of processors a component pushes its output to.
// Components embed it to implement Subscribe. It is not safe to Subscribe
// while messages flow; pipelines are wired before they run.
type Subscribers struct {
	list []Processor
}

// Subscribe adds p to the list.
func (s *Subscribers) Subscribe(p Processor) { s.list = append(s.list, p) }

// Len returns the number of subscribers.
func (s *Subscribers) Len() int { return len(s.list) }

// Send passes msg to every subscriber in subscription order and returns the
// first error, without calling the subscribers after it: a failing
// subscriber stops the pipeline rather than letting later ones run ahead.
func (s *Subscribers) Send(ctx context.Context, msg Message) error {
	for _, p := range s.list {
		if err := p.Process(ctx, msg); err != nil {
			return err
		}
	}
	return nil
}
