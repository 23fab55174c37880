# coding: utf-8
# The array library: cupy on the GPU, numpy otherwise (the second book's switch, reused).
from common.config import GPU

if GPU:
    import cupy as np
    np.cuda.set_allocator(np.cuda.MemoryPool().malloc)
    np.add.at = np.scatter_add
    print("=" * 40)
    print("running on the GPU (cupy)")
    print("=" * 40)
else:
    import numpy as np
