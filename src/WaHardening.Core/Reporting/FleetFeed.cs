using System;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace WaHardening.Core.Reporting
{
    /// <summary>
    /// Feeds report paths to worker mergers while they are still being enumerated: <see cref="Add"/> puts a path on a
    /// bounded queue (it waits when the workers are behind, so at most <c>capacity</c> paths are held), each worker
    /// folds files into its own <see cref="FleetMerger"/>, and <see cref="Complete"/> waits for them and merges their
    /// results into the target. Every path gets its input number, so the outcome is the one a sequential merge in
    /// the same order would give.
    /// </summary>
    public sealed class FleetFeed : IDisposable
    {
        private readonly FleetMerger _target;
        private readonly BlockingCollection<(string Path, long Seq)> _queue;
        private readonly FleetMerger[] _parts;
        private readonly Task[] _workers;
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly long _first;
        private long _seq;
        private int _done;
        private Exception? _failure;
        private bool _completed;

        public FleetFeed(FleetMerger target, int workers, int capacity = 1024)
        {
            _target = target;
            _first = _seq = target.NextSeq;
            _queue = new BlockingCollection<(string, long)>(Math.Max(1, capacity));
            workers = Math.Max(1, workers);
            _parts = new FleetMerger[workers];
            _workers = new Task[workers];
            for (var w = 0; w < workers; w++)
            {
                var m = _parts[w] = new FleetMerger { MaxReportBytes = target.MaxReportBytes, Once = target.Once };
                _workers[w] = Task.Run(() => Work(m));
            }
        }

        private void Work(FleetMerger m)
        {
            try
            {
                foreach (var (path, seq) in _queue.GetConsumingEnumerable(_cancel.Token))
                {
                    m.AddFileAt(path, seq);
                    Interlocked.Increment(ref _done);
                }
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested) { }
            catch (Exception e) { _failure = e; _cancel.Cancel(); throw; }
        }

        /// <summary>The workers' read buffer sizes (each at most <see cref="FleetMerger.MaxReportBytes"/>).</summary>
        internal int[] WorkerBufferCapacities => Array.ConvertAll(_parts, p => p.BufferCapacity);

        /// <summary>Paths given so far.</summary>
        public int Offered => (int)(_seq - _first);

        /// <summary>Files read so far (merged or skipped).</summary>
        public int Done => Volatile.Read(ref _done);

        /// <summary>Queues one path; waits while the queue is full. Throws <see cref="OperationCanceledException"/>
        /// after <see cref="Dispose"/> (or when a worker failed: <see cref="Complete"/> then reports why).</summary>
        public void Add(string path)
        {
            if (_failure != null) ExceptionDispatchInfo.Capture(_failure).Throw();   // a worker's failure, as itself
            _cancel.Token.ThrowIfCancellationRequested();
            if (_completed) throw new InvalidOperationException("the feed is complete");
            try { _queue.Add((path, _seq++), _cancel.Token); }
            catch (OperationCanceledException) when (_failure != null) { ExceptionDispatchInfo.Capture(_failure).Throw(); }
        }

        /// <summary>Waits for the workers (calling <paramref name="progress"/> with <see cref="Done"/> about every
        /// 100 ms and once at the end) and merges what they read into the target merger.</summary>
        public void Complete(Action<int>? progress = null)
        {
            if (_completed) return;
            _completed = true;
            _queue.CompleteAdding();
            var all = Task.WhenAll(_workers);
            while (!all.Wait(100)) progress?.Invoke(Done);
            all.GetAwaiter().GetResult();   // a worker's failure, as itself
            progress?.Invoke(Done);
            var next = _seq;
            foreach (var m in _parts) _target.Merge(m);
            _target.NextSeq = next;
        }

        /// <summary>Stops the workers (what they read is dropped unless <see cref="Complete"/> ran). Safe to call from
        /// another thread while <see cref="Add"/> waits (it then throws <see cref="OperationCanceledException"/>).</summary>
        public void Dispose()
        {
            if (_completed && _queue.IsCompleted) return;
            _cancel.Cancel();
            try { Task.WaitAll(_workers); } catch (AggregateException) { }
        }
    }
}
