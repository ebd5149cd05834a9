"""cs231n's Solver on convlab's Solver (host/solver/solver.h): the same
constructor (model, data dict, update_rule, optim_config, lr_decay,
batch_size, num_epochs, num_train_samples, num_val_samples, checkpoint_name,
print_every, verbose), the same printed lines and history attributes. The
training loop runs in C++ on the model's device; checkpoints are safetensors
files (`<checkpoint_name>_epoch_<e>.safetensors`, safetensors.numpy.load_file).

Extra keyword arguments: seed (batch sampling; drawn from np.random when
absent), and any other key of convlab's solver config section (docs/config.md),
e.g. sampling="epoch" or lr_schedule={...}."""

import json

import numpy as np

from . import _convlab
from ._arrays import labels
from .classifiers import Model

__all__ = ["Solver"]

_CS231N_KEYS = ("update_rule", "optim_config", "lr_decay", "batch_size", "num_epochs", "num_train_samples",
                "num_val_samples", "print_every", "verbose")
_CONVLAB_KEYS = ("seed", "sampling", "lr_schedule", "param_groups", "weight_averaging", "keep", "progress")


def _data(X, name):
    X = np.asarray(X)
    if X.dtype == np.uint8:
        return np.ascontiguousarray(X)
    if X.dtype.kind not in "fiu":
        raise TypeError(f"data[{name!r}]: expected numbers, got {X.dtype}")
    return np.ascontiguousarray(X, dtype=np.float32)


class Solver:
    def __init__(self, model, data, **kwargs):
        if not isinstance(model, Model):
            raise TypeError(f"Solver: expected a convlab model (convlab.ThreeLayerConvNet, convlab.FullyConnectedNet), "
                            f"got {type(model).__name__}")
        for key in ("X_train", "y_train", "X_val", "y_val"):
            if key not in data:
                raise KeyError(f"Solver: data has no {key!r}")
        self.model = model
        self.X_train, self.y_train = data["X_train"], data["y_train"]
        self.X_val, self.y_val = data["X_val"], data["y_val"]
        self.checkpoint_name = kwargs.pop("checkpoint_name", None)
        config = {"update_rule": "sgd", "optim_config": {}, "lr_decay": 1.0, "batch_size": 100, "num_epochs": 10,
                  "num_train_samples": 1000, "num_val_samples": None, "print_every": 10, "verbose": True}
        for key in list(kwargs):
            if key in _CS231N_KEYS or key in _CONVLAB_KEYS:
                config[key] = kwargs.pop(key)
        if kwargs:
            raise ValueError("Unrecognized arguments " + ", ".join(f'"{k}"' for k in kwargs))
        if config.get("seed") is None:
            config["seed"] = int(np.random.randint(0, 2**31 - 1))
        self.config = config
        self.update_rule = config["update_rule"]
        self.optim_config = dict(config["optim_config"])
        self.lr_decay = config["lr_decay"]
        self.batch_size = config["batch_size"]
        self.num_epochs = config["num_epochs"]
        self.num_train_samples = config["num_train_samples"]
        self.num_val_samples = config["num_val_samples"]
        self.print_every = config["print_every"]
        self.verbose = config["verbose"]
        self._reset()

    def _reset(self):
        self.epoch = 0
        self.best_val_acc = 0
        self.best_params = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []

    def train(self):
        """Runs the optimisation; afterwards the model holds the best
        parameters (by validation accuracy), as cs231n's Solver leaves it."""
        history = _convlab.solve(self.model._native, _data(self.X_train, "X_train"), labels(self.y_train, "y_train"),
                                 _data(self.X_val, "X_val"), labels(self.y_val, "y_val"), json.dumps(self.config),
                                 str(self.checkpoint_name or ""))
        self.loss_history = list(history["loss_history"])
        self.train_acc_history = list(history["train_acc_history"])
        self.val_acc_history = list(history["val_acc_history"])
        self.best_val_acc = history["best_val_acc"]
        self.best_params = {k: np.array(v) for k, v in history["best_params"].items() if k in self.model.params}
        self.epoch = history["epoch"]
        self.stop_reason = history["stop_reason"]
        return history["ok"]

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Accuracy of the model on (X, y), on a random subsample of
        num_samples (drawn with np.random.choice, as cs231n's) when given."""
        N = X.shape[0]
        if num_samples is not None and N > num_samples:
            mask = np.random.choice(N, num_samples)
            N, X, y = num_samples, X[mask], y[mask]
        y_pred = []
        for i in range((N + batch_size - 1) // batch_size):
            scores = self.model.loss(X[i * batch_size:(i + 1) * batch_size])
            y_pred.append(np.argmax(np.asarray(scores), axis=1))
        return float(np.mean(np.hstack(y_pred) == np.asarray(y)))
