"""Named intermediate objects on disk under `<root>/objects/`, with a memory cache in front.

Tensors (and dicts of tensors) are written with safetensors when it is installed, so they
are plain data on disk; anything else is pickled. torch and safetensors are imported only
when a tensor is actually saved or loaded. The cache keeps the most recently used objects, so
the next node in this process gets the very object the previous one saved, without a read.
"""

from __future__ import annotations

import pickle
import sys
import threading
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import Any

from invoke_core import InvokeConfig
from invoke_core.errors import CorruptDataError, ObjectNotFoundError
from invoke_core.services.object_storage import ObjectStorage

from invoke_services_local.files import is_safe_name, remove_stale_temp_files, write_atomically

OBJECTS_FOLDER = "objects"
TENSOR_SUFFIX = ".safetensors"
PICKLE_SUFFIX = ".pickle"
_SINGLE_TENSOR_KEY = "tensor"
_KIND = "invoke_kind"  # safetensors metadata: "tensor" or "dict"


def _is_tensor(value: Any) -> bool:
    torch = sys.modules.get("torch")  # no torch imported means no tensor can exist
    return torch is not None and isinstance(value, torch.Tensor)


def _tensor_layout(obj: Any) -> tuple[str, dict[str, Any]] | None:
    """("tensor" | "dict", {key: tensor}) when safetensors can store `obj`; None otherwise."""
    if _is_tensor(obj):
        return "tensor", {_SINGLE_TENSOR_KEY: obj}
    if isinstance(obj, dict) and obj and all(isinstance(k, str) and _is_tensor(v) for k, v in obj.items()):
        return "dict", obj
    return None


def _safetensors_available() -> bool:
    try:
        import safetensors.torch  # noqa: F401
    except ImportError:
        return False
    return True


class DiskObjectStorage(ObjectStorage):
    def __init__(self, config: InvokeConfig):
        self.folder = Path(config.root) / OBJECTS_FOLDER
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(self.folder)
        self.cache_size = int(config.extra("object_cache_size", 64))
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    # ---- cache ---------------------------------------------------------------------------

    def _remember(self, name: str, obj: Any) -> None:
        if self.cache_size <= 0:
            return
        with self._lock:
            self._cache[name] = obj
            self._cache.move_to_end(name)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def _cached(self, name: str) -> tuple[bool, Any]:
        with self._lock:
            if name in self._cache:
                self._cache.move_to_end(name)
                return True, self._cache[name]
        return False, None

    # ---- files ---------------------------------------------------------------------------

    def _files(self, name: str) -> tuple[Path, Path]:
        if not is_safe_name(name):
            raise ObjectNotFoundError(f"no object named {name!r} (names use letters, digits, '_', '-' and '.')")
        return self.folder / f"{name}{TENSOR_SUFFIX}", self.folder / f"{name}{PICKLE_SUFFIX}"

    def save(self, obj: Any, name: str | None = None) -> str:
        name = name or uuid.uuid4().hex
        if not is_safe_name(name):
            raise ValueError(f"object name {name!r} is not allowed: use letters, digits, '_', '-' and '.'")
        tensor_file, pickle_file = self._files(name)
        layout = _tensor_layout(obj)
        if layout is not None and _safetensors_available():
            from safetensors.torch import save

            kind, tensors = layout
            devices = {str(tensor.device) for tensor in tensors.values()}
            payload = save(
                {key: tensor.detach().to("cpu").contiguous() for key, tensor in tensors.items()},
                metadata={_KIND: kind, "device": devices.pop() if len(devices) == 1 else "cpu"},
            )
            write_atomically(tensor_file, lambda handle: handle.write(payload))
            pickle_file.unlink(missing_ok=True)  # a name holds one object: drop an older one
        else:
            write_atomically(pickle_file, lambda handle: pickle.dump(obj, handle, protocol=pickle.HIGHEST_PROTOCOL))
            tensor_file.unlink(missing_ok=True)
        self._remember(name, obj)
        return name

    def load(self, name: str) -> Any:
        found, obj = self._cached(name)
        if found:
            return obj
        tensor_file, pickle_file = self._files(name)
        try:
            if tensor_file.is_file():
                obj = self._load_tensors(tensor_file)
            else:
                with open(pickle_file, "rb") as handle:
                    obj = pickle.load(handle)
        except FileNotFoundError:
            raise ObjectNotFoundError(f"no object named {name!r}") from None
        except Exception as exc:  # unpickling and safetensors fail in many ways on a damaged file
            raise CorruptDataError(f"object {name!r} cannot be read: {type(exc).__name__}: {exc}") from None
        self._remember(name, obj)
        return obj

    @staticmethod
    def _load_tensors(path: Path) -> Any:
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as reader:
            metadata = reader.metadata() or {}
            device = metadata.get("device", "cpu")
            tensors = {key: reader.get_tensor(key).to(device) for key in reader.keys()}  # noqa: SIM118
        if metadata.get(_KIND) == "tensor":
            return tensors[_SINGLE_TENSOR_KEY]
        return tensors

    def delete(self, name: str) -> None:
        tensor_file, pickle_file = self._files(name)
        with self._lock:
            was_cached = self._cache.pop(name, None) is not None
        removed = False
        for path in (tensor_file, pickle_file):
            try:
                path.unlink()
                removed = True
            except FileNotFoundError:
                pass
        if not removed and not was_cached:
            raise ObjectNotFoundError(f"no object named {name!r}")
