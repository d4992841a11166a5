"""Train a small convolutional network on scikit-learn's 8x8 handwritten
digits (1x8x8 images, 10 classes; nothing to download), with SGD and momentum.

Written exactly as a PyTorch script; only the import line differs.

    pip install ".[examples]" && python examples/cnn_digits.py [--epochs N]
"""

import argparse
import time

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tqdm import tqdm

import dyngraph as torch
from dyngraph import nn, optim
from dyngraph.utils.data import DataLoader, TensorDataset


# The train/test split is fixed, so runs with different --seed values are compared on the same test set.
SPLIT_SEED = 0


def load_data():
    """Train/test images as (N, 1, 8, 8) float tensors in [0, 1], and their labels."""
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.images, digits.target, test_size=0.2, random_state=SPLIT_SEED, stratify=digits.target)
    # Pixel values are 0..16; one channel per image, as Conv2d expects (N, C, H, W).
    as_images = lambda x: (torch.tensor(x, dtype=torch.float32) / 16.0).unsqueeze(1)  # noqa: E731
    return as_images(x_train), torch.tensor(y_train), as_images(x_test), torch.tensor(y_test)


def make_model():
    return nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1),   # 8 x 8 x 8
        nn.ReLU(),
        nn.MaxPool2d(2),                             # 8 x 4 x 4
        nn.Conv2d(8, 16, kernel_size=3, padding=1),  # 16 x 4 x 4
        nn.ReLU(),
        nn.MaxPool2d(2),                             # 16 x 2 x 2
        nn.Flatten(),
        nn.Linear(16 * 2 * 2, 10),
    )


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        predicted = model(x).argmax(dim=1)
    model.train()
    return (predicted == y).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=0, help="seeds the initial weights and the shuffling")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = load_data()
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(args.seed))

    model = make_model()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)

    start = time.perf_counter()
    progress = tqdm(range(args.epochs), desc="training", unit="epoch")
    for _ in progress:
        total, count = 0.0, 0
        for images, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(labels)
            count += len(labels)
        progress.set_postfix(loss=f"{total / count:.4f}")
    elapsed = time.perf_counter() - start

    print(f"train accuracy: {accuracy(model, x_train, y_train):.2%}")
    print(f"test accuracy: {accuracy(model, x_test, y_test):.2%} ({args.epochs} epochs in {elapsed:.1f} s)")


if __name__ == "__main__":
    main()
