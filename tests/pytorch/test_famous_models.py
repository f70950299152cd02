"""Well-known models written as layer lists: torchvision's VGG16 and AlexNet, LeNet-5."""

from __future__ import annotations

from .compare import assert_matches_torch

VGG16_CONFIG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def vgg16_text() -> str:
    """torchvision.models.vgg16() as one nn.Sequential: features, avgpool, flatten, classifier."""
    lines, channels = [], 3
    for v in VGG16_CONFIG:
        if v == "M":
            lines.append("nn.MaxPool2d(kernel_size=2, stride=2)")
        else:
            lines += [f"nn.Conv2d({channels}, {v}, kernel_size=3, padding=1)", "nn.ReLU(inplace=True)"]
            channels = v
    lines += ["nn.AdaptiveAvgPool2d((7, 7))", "nn.Flatten()",
              "nn.Linear(512 * 7 * 7, 4096)", "nn.ReLU(True)", "nn.Dropout(p=0.5)",
              "nn.Linear(4096, 4096)", "nn.ReLU(True)", "nn.Dropout(p=0.5)", "nn.Linear(4096, 1000)"]
    return "model = nn.Sequential(\n" + "".join(f"    {line},\n" for line in lines) + ")\n"


ALEXNET = """
self.features = nn.Sequential(
    nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
    nn.ReLU(inplace=True),
    nn.MaxPool2d(kernel_size=3, stride=2),
    nn.Conv2d(64, 192, kernel_size=5, padding=2),
    nn.ReLU(inplace=True),
    nn.MaxPool2d(kernel_size=3, stride=2),
    nn.Conv2d(192, 384, kernel_size=3, padding=1),
    nn.ReLU(inplace=True),
    nn.Conv2d(384, 256, kernel_size=3, padding=1),
    nn.ReLU(inplace=True),
    nn.Conv2d(256, 256, kernel_size=3, padding=1),
    nn.ReLU(inplace=True),
    nn.MaxPool2d(kernel_size=3, stride=2),
)
self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
self.flatten = nn.Flatten()
self.classifier = nn.Sequential(
    nn.Dropout(p=0.5),
    nn.Linear(256 * 6 * 6, 4096),
    nn.ReLU(inplace=True),
    nn.Dropout(p=0.5),
    nn.Linear(4096, 4096),
    nn.ReLU(inplace=True),
    nn.Linear(4096, 1000),
)
"""


def test_vgg16():
    summary = assert_matches_torch(vgg16_text(), input_shape=(3, 224, 224), device="meta")
    assert summary.total_params == 138_357_544  # torchvision's published figure, as the oracle found too
    assert summary.layers[-1].output_shape == (None, 1000)
    assert summary.layer("30").output_shape == (None, 512, 7, 7)


def test_vgg16_without_input_shape():
    summary = assert_matches_torch(vgg16_text(), device="meta", weights=False)
    assert summary.total_params == 138_357_544


def test_alexnet():
    summary = assert_matches_torch(ALEXNET, input_shape=(3, 224, 224), device="meta")
    assert summary.total_params == 61_100_840  # torchvision's published figure
    assert [(r.name, r.output_shape) for r in summary.layers] == [
        ("features", (None, 256, 6, 6)), ("avgpool", (None, 256, 6, 6)), ("flatten", (None, 9216)),
        ("classifier", (None, 1000))]


def test_lenet5():
    text = """
nn.Conv2d(1, 6, kernel_size=5, padding=2)
nn.Tanh()
nn.AvgPool2d(kernel_size=2, stride=2)
nn.Conv2d(6, 16, kernel_size=5)
nn.Tanh()
nn.AvgPool2d(kernel_size=2, stride=2)
nn.Flatten()
nn.Linear(16 * 5 * 5, 120)
nn.Tanh()
nn.Linear(120, 84)
nn.Tanh()
nn.Linear(84, 10)
"""
    summary = assert_matches_torch(text, input_shape=(1, 28, 28))
    assert summary.total_params == 61_706
