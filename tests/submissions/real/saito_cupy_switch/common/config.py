# coding: utf-8
# True to run on the GPU (needs cupy)
GPU = False
