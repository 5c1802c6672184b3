"""PyTorch peer of `persian-rug train`: the paper's recipe (docs/theory.md §1) for speed and loss comparisons.

Usage: python3 bench/torch_train.py --n 512 --m 128 --p 0.045 --steps 3000 --batch 1024 --seed 1 [--threads 1] [--warmup 0]
Prints one JSON line: {"steps", "trainLoss", "evalLoss", "evalSamples", "seconds", "samplesPerSecond", "threads"}.
Data: x_j = U[0,1) with probability p (torch's own RNG, so not the same samples as ours; the statistics match).
"""
import argparse, json, math, os, time

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
args = parser.parse_args()
os.environ.setdefault('OPENBLAS_NUM_THREADS', str(args.threads))

import torch
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
n, m, p, batch = args.n, args.m, args.p, args.batch
lr = args.lr if args.lr is not None else 3e-3 / math.sqrt(n)


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
for step in range(args.warmup + args.steps):
    if step == args.warmup:
        start = time.perf_counter()
    x = sample(batch)
    loss = torch.mean((model(x) - x) ** 2)
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())
seconds = time.perf_counter() - start
with torch.no_grad():
    total = 0.0
    for done in range(0, args.eval_samples, 4096):
        x = sample(min(4096, args.eval_samples - done))
        total += torch.sum((model(x) - x) ** 2).item()
tail = losses[-200:]
print(json.dumps({'steps': args.steps, 'trainLoss': sum(tail) / len(tail), 'evalLoss': total / (args.eval_samples * n),
                  'evalSamples': args.eval_samples, 'seconds': seconds, 'samplesPerSecond': args.steps * batch / seconds,
                  'threads': args.threads, 'torch': torch.__version__}))
