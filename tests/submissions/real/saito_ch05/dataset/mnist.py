# coding: utf-8
# Downloads MNIST when called (never at import: only definitions here).
import os.path
import urllib.request

url_base = 'http://yann.lecun.com/exdb/mnist/'
dataset_dir = os.path.dirname(os.path.abspath(__file__))


def _download(file_name):
    urllib.request.urlretrieve(url_base + file_name, os.path.join(dataset_dir, file_name))


def load_mnist(normalize=True, flatten=True, one_hot_label=False):
    _download('train-images-idx3-ubyte.gz')
    raise RuntimeError("no network in this exercise")
