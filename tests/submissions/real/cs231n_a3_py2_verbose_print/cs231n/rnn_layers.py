import numpy as np


"""
This file defines layer types that are commonly used for recurrent neural
networks.
"""


def rnn_step_forward(x, prev_h, Wx, Wh, b):
  """
  Run the forward pass for a single timestep of a vanilla RNN that uses a tanh
  activation function.
  """
  next_h = np.tanh(prev_h.dot(Wh) + x.dot(Wx) + b)
  cache = (x, prev_h, Wx, Wh, next_h)
  return next_h, cache


def rnn_step_backward(dnext_h, cache):
  """
  Backward pass for a single timestep of a vanilla RNN.
  """
  x, prev_h, Wx, Wh, next_h = cache
  da = dnext_h * (1 - next_h ** 2)
  dx = da.dot(Wx.T)
  dprev_h = da.dot(Wh.T)
  dWx = x.T.dot(da)
  dWh = prev_h.T.dot(da)
  db = da.sum(axis=0)
  return dx, dprev_h, dWx, dWh, db


def rnn_forward(x, h0, Wx, Wh, b):
  """
  Run a vanilla RNN forward on an entire sequence of data.
  """
  N, T, D = x.shape
  h = np.zeros((N, T, h0.shape[1]))
  cache = []
  prev = h0
  for t in xrange(T):
    prev, step = rnn_step_forward(x[:, t, :], prev, Wx, Wh, b)
    h[:, t, :] = prev
    cache.append(step)
  return h, cache


def rnn_backward(dh, cache):
  """
  Compute the backward pass for a vanilla RNN over an entire sequence of data.
  """
  N, T, H = dh.shape
  D = cache[0][0].shape[1]
  dx = np.zeros((N, T, D))
  dWx = np.zeros((D, H))
  dWh = np.zeros((H, H))
  db = np.zeros(H)
  carry = np.zeros((N, H))
  for t in reversed(xrange(T)):
    dx[:, t, :], carry, dwx, dwh, dbt = rnn_step_backward(dh[:, t, :] + carry, cache[t])
    dWx += dwx
    dWh += dwh
    db += dbt
  dh0 = carry
  return dx, dh0, dWx, dWh, db


def word_embedding_forward(x, W):
  """
  Forward pass for word embeddings.
  """
  out = W[x]
  cache = (x, W.shape)
  return out, cache


def word_embedding_backward(dout, cache):
  """
  Backward pass for word embeddings.
  """
  x, shape = cache
  dW = np.zeros(shape)
  np.add.at(dW, x, dout)
  return dW


def sigmoid(x):
  """
  A numerically stable version of the logistic sigmoid function.
  """
  pos_mask = (x >= 0)
  neg_mask = (x < 0)
  z = np.zeros_like(x)
  z[pos_mask] = np.exp(-x[pos_mask])
  z[neg_mask] = np.exp(x[neg_mask])
  top = np.ones_like(x)
  top[neg_mask] = z[neg_mask]
  return top / (1 + z)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
  """
  Forward pass for a single timestep of an LSTM.
  """
  H = prev_h.shape[1]
  a = x.dot(Wx) + prev_h.dot(Wh) + b
  i = sigmoid(a[:, :H])
  f = sigmoid(a[:, H:2 * H])
  o = sigmoid(a[:, 2 * H:3 * H])
  g = np.tanh(a[:, 3 * H:])
  next_c = f * prev_c + i * g
  tc = np.tanh(next_c)
  next_h = o * tc
  cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tc)
  return next_h, next_c, cache


def lstm_step_backward(dnext_h, dnext_c, cache):
  """
  Backward pass for a single timestep of an LSTM.
  """
  x, prev_h, prev_c, Wx, Wh, i, f, o, g, tc = cache
  dc = dnext_c + dnext_h * o * (1 - tc ** 2)
  di = dc * g
  df = dc * prev_c
  do = dnext_h * tc
  dg = dc * i
  da = np.hstack((di * i * (1 - i), df * f * (1 - f), do * o * (1 - o), dg * (1 - g ** 2)))
  dx = da.dot(Wx.T)
  dprev_h = da.dot(Wh.T)
  dprev_c = dc * f
  dWx = x.T.dot(da)
  dWh = prev_h.T.dot(da)
  db = da.sum(axis=0)
  return dx, dprev_h, dprev_c, dWx, dWh, db


def lstm_forward(x, h0, Wx, Wh, b):
  """
  Forward pass for an LSTM over an entire sequence of data.
  """
  N, T, D = x.shape
  H = h0.shape[1]
  h = np.zeros((N, T, H))
  c = np.zeros((N, H))
  prev = h0
  cache = []
  for t in xrange(T):
	prev, c, step = lstm_step_forward(x[:, t, :], prev, c, Wx, Wh, b)
	h[:, t, :] = prev
	cache.append(step)
  return h, cache


def lstm_backward(dh, cache):
  """
  Backward pass for an LSTM over an entire sequence of data.
  """
  N, T, H = dh.shape
  D = cache[0][0].shape[1]
  dx = np.zeros((N, T, D))
  dWx = np.zeros((D, 4 * H))
  dWh = np.zeros((H, 4 * H))
  db = np.zeros(4 * H)
  dprev_h = np.zeros((N, H))
  dprev_c = np.zeros((N, H))
  for t in reversed(xrange(T)):
    dx[:, t, :], dprev_h, dprev_c, dwx, dwh, dbt = lstm_step_backward(
        dh[:, t, :] + dprev_h, dprev_c, cache[t])
    dWx += dwx
    dWh += dwh
    db += dbt
  dh0 = dprev_h
  return dx, dh0, dWx, dWh, db


def temporal_affine_forward(x, w, b):
  """
  Forward pass for a temporal affine layer.
  """
  N, T, D = x.shape
  M = b.shape[0]
  out = x.reshape(N * T, D).dot(w).reshape(N, T, M) + b
  cache = x, w, b, out
  return out, cache


def temporal_affine_backward(dout, cache):
  """
  Backward pass for temporal affine layer.
  """
  x, w, b, out = cache
  N, T, D = x.shape
  M = b.shape[0]

  dx = dout.reshape(N * T, M).dot(w.T).reshape(N, T, D)
  dw = dout.reshape(N * T, M).T.dot(x.reshape(N * T, D)).T
  db = dout.sum(axis=(0, 1))

  return dx, dw, db


def temporal_softmax_loss(x, y, mask, verbose=False):
  """
  A temporal version of softmax loss for use in RNNs.
  """

  N, T, V = x.shape

  x_flat = x.reshape(N * T, V)
  y_flat = y.reshape(N * T)
  mask_flat = mask.reshape(N * T)

  probs = np.exp(x_flat - np.max(x_flat, axis=1, keepdims=True))
  probs /= np.sum(probs, axis=1, keepdims=True)
  loss = -np.sum(mask_flat * np.log(probs[np.arange(N * T), y_flat])) / N
  dx_flat = probs.copy()
  dx_flat[np.arange(N * T), y_flat] -= 1
  dx_flat /= N
  dx_flat *= mask_flat[:, None]

  if verbose: print 'dx_flat: ', dx_flat.shape

  dx = dx_flat.reshape(N, T, V)

  return loss, dx
