"""PyTorch peer of `persian-rug train`: the paper's recipe (docs/theory.md §1) for speed and loss comparisons.

Usage: python3 torch_train.py --n 512 --m 128 --p 0.045 --steps 3000 --batch 1024 --seed 1 [--threads 1] [--warmup 0]
Prints one JSON line: {"steps", "trainLoss", "evalLoss", "evalSamples", "seconds", "samplesPerSecond", "threads", "torch"}.
With --serve it reads one JSON request a line on stdin ({"n", "m", "p", "batch", "steps", "warmup", "seed"}) and answers
each with one JSON line ({"samplesPerSecond", "seconds", "lossHistory", ...}, no evaluation): `persian-rug bench` keeps
one such process per thread setting, so torch is imported once and its runs interleave with ours.
Set OPENBLAS_NUM_THREADS to --threads before starting (done here if unset; OpenBLAS reads it when torch loads).
Data: x_j = U[0,1) with probability p (torch's own RNG, so not the same samples as ours; the statistics match).
"""
import argparse, json, math, os, sys, time

parser = argparse.ArgumentParser()
parser.add_argument('--n', type=int, default=512)
parser.add_argument('--m', type=int, default=128)
parser.add_argument('--p', type=float, default=0.045)
parser.add_argument('--steps', type=int, default=3000)
parser.add_argument('--batch', type=int, default=1024)
parser.add_argument('--lr', type=float, default=None)
parser.add_argument('--seed', type=int, default=0)
parser.add_argument('--threads', type=int, default=1)
parser.add_argument('--eval-samples', type=int, default=65536)
parser.add_argument('--warmup', type=int, default=0, help='untimed steps before the timed ones')
parser.add_argument('--serve', action='store_true', help='answer JSON requests on stdin, one a line')
args = parser.parse_args()
os.environ.setdefault('OPENBLAS_NUM_THREADS', str(args.threads))

import torch
torch.set_num_threads(args.threads)


def train(n, m, p, batch, steps, warmup, seed, lr=None):
    """Trains warmup + steps steps from nn.Linear's init; returns the model, the step losses and the timed seconds."""
    torch.manual_seed(seed)
    lr = lr if lr is not None else 3e-3 / math.sqrt(n)

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.Linear(n, m, bias=False)
            self.decoder = torch.nn.Linear(m, n)

        def forward(self, x):
            return torch.relu(self.decoder(self.encoder(x)))

    def sample(count):
        on = (torch.rand(count, n) < p).float()
        return on * torch.rand(count, n)

    model = Model()
    opt = torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7, betas=(0.9, 0.999))
    losses = []
    start = time.perf_counter()
    for step in range(warmup + steps):
        if step == warmup:
            start = time.perf_counter()
        x = sample(batch)
        loss = torch.mean((model(x) - x) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return model, sample, losses, time.perf_counter() - start


if args.serve:
    for line in sys.stdin:
        if not line.strip():
            continue
        q = json.loads(line)
        _, _, losses, seconds = train(q['n'], q['m'], q['p'], q['batch'], q['steps'], q.get('warmup', 0), q.get('seed', 0), q.get('lr'))
        print(json.dumps({'steps': q['steps'], 'warmup': q.get('warmup', 0), 'seconds': seconds, 'samplesPerSecond': q['steps'] * q['batch'] / seconds,
                          'lossHistory': losses, 'threads': args.threads, 'torch': torch.__version__}), flush=True)
    sys.exit(0)

n = args.n
model, sample, losses, seconds = train(args.n, args.m, args.p, args.batch, args.steps, args.warmup, args.seed, args.lr)
with torch.no_grad():
    total = 0.0
    for done in range(0, args.eval_samples, 4096):
        x = sample(min(4096, args.eval_samples - done))
        total += torch.sum((model(x) - x) ** 2).item()
tail = losses[-200:]
print(json.dumps({'steps': args.steps, 'trainLoss': sum(tail) / len(tail), 'evalLoss': total / (args.eval_samples * n),
                  'evalSamples': args.eval_samples, 'seconds': seconds, 'samplesPerSecond': args.steps * args.batch / seconds,
                  'threads': args.threads, 'torch': torch.__version__}))
